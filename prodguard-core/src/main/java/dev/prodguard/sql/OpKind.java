package dev.prodguard.sql;

/** What a statement does, as far as the guards care. */
public enum OpKind {
  DROP_DATABASE,
  DROP_SCHEMA,
  DROP_TABLE,
  DROP_COLUMN,
  TRUNCATE,
  DELETE,
  UPDATE,
  INSERT,
  MERGE,
  COPY_IN,
  SELECT,
  ALTER_COLUMN_TYPE,
  RENAME_TABLE,
  RENAME_COLUMN,
  ADD_COLUMN,
  DROP_NOT_NULL,
  SET_NOT_NULL,
  ALTER_COLUMN_DEFAULT,
  CREATE_INDEX,
  DROP_INDEX,
  ADD_CONSTRAINT,
  DROP_CONSTRAINT,
  VALIDATE_CONSTRAINT,
  ALTER_TABLE_OTHER,
  CREATE_TABLE,
  CREATE_VIEW,
  DROP_VIEW,
  CREATE_SCHEMA,
  CREATE_FUNCTION,
  ALTER_FUNCTION,
  DROP_FUNCTION,
  CREATE_TRIGGER,
  DROP_TRIGGER,
  /** {@code CREATE RULE}: a rewrite rule that runs its actions on every event of the table. */
  CREATE_RULE,
  DO_BLOCK,
  /** {@code CALL} of a procedure; {@link Operation.Flag#OPAQUE} when its body is not known. */
  CALL,
  /**
   * A call of a user function in an expression ({@code SELECT f()}); {@link Operation.Flag#OPAQUE}
   * when its body is not known. Calls of built-in functions are not reported.
   */
  FUNCTION_CALL,
  DYNAMIC_SQL,
  GRANT,
  REVOKE,
  CREATE_OTHER,
  ALTER_OTHER,
  DROP_OTHER,
  COMMENT,
  SET_SESSION,
  TRANSACTION,
  LOCK,
  MAINTENANCE,
  /**
   * The statement names one of prodguard's own objects ({@link ProdguardObjects}) other than as the
   * target of an operation above: in a string, a read, or a clause that is not modelled.
   */
  REFERENCE,
  UNKNOWN;

  /** Operations that change a table's rows or structure (for protected tables). */
  public boolean touchesTable() {
    return switch (this) {
      case DROP_TABLE,
          DROP_COLUMN,
          TRUNCATE,
          DELETE,
          UPDATE,
          INSERT,
          MERGE,
          COPY_IN,
          ALTER_COLUMN_TYPE,
          RENAME_TABLE,
          RENAME_COLUMN,
          ADD_COLUMN,
          DROP_NOT_NULL,
          SET_NOT_NULL,
          ALTER_COLUMN_DEFAULT,
          CREATE_INDEX,
          ADD_CONSTRAINT,
          DROP_CONSTRAINT,
          VALIDATE_CONSTRAINT,
          ALTER_TABLE_OTHER,
          CREATE_TRIGGER,
          DROP_TRIGGER,
          CREATE_RULE,
          LOCK ->
          true;
      default -> false;
    };
  }
}
