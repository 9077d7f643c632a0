package dev.prodguard.sql;

import dev.prodguard.sql.Operation.Flag;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a statement into {@link Operation}s. A hand-written recogniser handles the statements
 * migrations are made of; what it does not know goes to JSqlParser; what neither can classify with
 * certainty is {@link OpKind#UNKNOWN}. Every data-changing part is found wherever it sits: CTEs
 * ({@code WITH d AS (DELETE ...)}) at any level and in {@code CREATE TABLE AS}, {@code COPY
 * (query)} or {@code EXPLAIN ANALYZE}, each {@code MERGE} branch, rule actions, routine bodies (DO
 * blocks, functions, procedures, triggers, events; {@code EXECUTE}/{@code PREPARE} inside them is
 * dynamic SQL), and the bodies of the routines a statement calls when the migrations define them
 * ({@link Routines}); a call of a user routine whose body is unknown is {@link Flag#OPAQUE}. A
 * {@code WHERE} that holds for every row ({@link Predicate}) counts as none. Statements that name
 * one of prodguard's own objects ({@link ProdguardObjects}) say so.
 *
 * <p>Expressions are read token by token; a data-seeding {@code INSERT} is therefore read whole
 * (linear in its size), because a function call in its values runs too.
 */
public final class Classifier {
  private static final int MAX_NESTING = 6;
  private static final int MAX_CALL_DEPTH = 8;

  /** The events a trigger fires on (G4). */
  private static final Set<String> TRIGGER_EVENTS =
      Set.of("INSERT", "UPDATE", "DELETE", "TRUNCATE");

  private static final Set<String> WHERE_STOPS = Set.of("RETURNING", "ORDER", "LIMIT");
  private static final Set<String> TRANSACTION_WORDS =
      Set.of("TRANSACTION", "WORK", "PREPARED", "TO", "SAVEPOINT", "START", "END", "COMMIT");

  /** Words that may follow a DML target where an alias could stand. */
  private static final Set<String> ALIAS_STOPS =
      Set.of(
          "SET",
          "WHERE",
          "USING",
          "FROM",
          "JOIN",
          "INNER",
          "LEFT",
          "RIGHT",
          "CROSS",
          "NATURAL",
          "STRAIGHT_JOIN",
          "PARTITION",
          "ORDER",
          "LIMIT",
          "RETURNING",
          "ON",
          "WHEN",
          "FOR",
          "OUTER",
          "FULL",
          "USE",
          "FORCE",
          "IGNORE");

  private static final Set<String> JOINS =
      Set.of("JOIN", "INNER", "LEFT", "RIGHT", "CROSS", "NATURAL", "STRAIGHT_JOIN");

  /**
   * PostgreSQL built-in functions with server-, database- or session-wide side effects: they end
   * other sessions, reload or rotate the server's configuration and logs, drop large objects, reset
   * statistics, switch the WAL or create and drop replication slots. prodguard cannot judge them
   * against the contract, so a statement that calls one is unknown (fail closed).
   */
  private static final Set<String> SIDE_EFFECT_FUNCTIONS =
      Set.of(
          "pg_terminate_backend",
          "pg_cancel_backend",
          "pg_reload_conf",
          "pg_rotate_logfile",
          "lo_unlink",
          "lo_put",
          "lo_import",
          "lo_export",
          "lo_truncate",
          "lo_truncate64",
          "lo_from_bytea",
          "lo_create",
          "lo_creat",
          "pg_read_file",
          "pg_read_binary_file",
          "pg_ls_dir",
          "pg_switch_wal",
          "pg_switch_xlog",
          "pg_drop_replication_slot",
          "pg_copy_physical_replication_slot",
          "pg_copy_logical_replication_slot",
          "pg_replication_slot_advance",
          "pg_promote",
          "pg_wal_replay_pause",
          "pg_wal_replay_resume",
          "pg_backup_start",
          "pg_backup_stop",
          "pg_start_backup",
          "pg_stop_backup",
          "pg_log_backend_memory_contexts",
          "pg_import_system_collations",
          "dblink_exec",
          "dblink");

  /**
   * The volatile PostgreSQL built-ins (postgresql-volatile-functions.txt, from {@code pg_proc})
   * whose effect is only the value they return or what other rules judge by name ({@code
   * set_config}, {@code setval}, {@code nextval}, advisory locks, {@code query_to_xml}): random
   * values and clocks, sizes and positions read from the server, reads of the session's own state,
   * waits, index-maintenance and trigger functions. Every other volatile built-in is taken to act
   * beyond the statement (fail closed): a replication origin moved ({@code
   * pg_replication_origin_advance}), a logical slot consumed ({@code pg_logical_slot_get_changes}),
   * a message written to the WAL, a binary-upgrade hook, and any such function this list does not
   * name.
   */
  private static final Set<String> VOLATILE_WITHOUT_EFFECTS =
      Set.of(
          "random",
          "setseed",
          "clock_timestamp",
          "timeofday",
          "gen_random_uuid",
          "nextval",
          "currval",
          "lastval",
          "setval",
          "set_config",
          "pg_advisory_lock",
          "pg_advisory_lock_shared",
          "pg_advisory_unlock",
          "pg_advisory_unlock_all",
          "pg_advisory_unlock_shared",
          "pg_advisory_xact_lock",
          "pg_advisory_xact_lock_shared",
          "pg_try_advisory_lock",
          "pg_try_advisory_lock_shared",
          "pg_try_advisory_xact_lock",
          "pg_try_advisory_xact_lock_shared",
          "pg_sleep",
          "pg_sleep_for",
          "pg_sleep_until",
          "txid_status",
          "pg_xact_status",
          "pg_current_wal_flush_lsn",
          "pg_current_wal_insert_lsn",
          "pg_current_wal_lsn",
          "pg_database_size",
          "pg_relation_size",
          "pg_table_size",
          "pg_indexes_size",
          "pg_total_relation_size",
          "pg_tablespace_size",
          "pg_is_in_recovery",
          "pg_blocking_pids",
          "pg_safe_snapshot_blocking_pids",
          "pg_isolation_test_session_is_blocked",
          "pg_lock_status",
          "pg_partition_tree",
          "pg_partition_ancestors",
          "pg_sequence_last_value",
          "pg_stat_have_stats",
          "pg_stat_clear_snapshot",
          "pg_stat_force_next_flush",
          "pg_stat_get_recovery_prefetch",
          "pg_notify",
          "current_query",
          "pg_jit_available",
          "pg_control_checkpoint",
          "pg_control_init",
          "pg_control_recovery",
          "pg_control_system",
          "pg_last_committed_xact",
          "pg_last_wal_receive_lsn",
          "pg_last_wal_replay_lsn",
          "pg_last_xact_replay_timestamp",
          "pg_get_backend_memory_contexts",
          "pg_get_multixact_members",
          "pg_get_shmem_allocations",
          "pg_get_wal_replay_pause_state",
          "pg_get_wal_resource_managers",
          "pg_show_all_file_settings",
          "pg_hba_file_rules",
          "pg_ident_file_mappings",
          "pg_collation_actual_version",
          "pg_database_collation_actual_version",
          "pg_xact_commit_timestamp",
          "pg_xact_commit_timestamp_origin",
          "pg_prepared_xact",
          "pg_notification_queue_usage",
          "pg_export_snapshot",
          "pg_is_wal_replay_paused",
          "pg_replication_origin_progress",
          "pg_replication_origin_session_progress",
          "pg_replication_origin_session_is_setup",
          "pg_show_replication_origin_status",
          "pg_logical_slot_peek_changes",
          "pg_logical_slot_peek_binary_changes",
          "cursor_to_xml",
          "cursor_to_xmlschema",
          "query_to_xml",
          "query_to_xmlschema",
          "query_to_xml_and_xmlschema",
          "ts_stat",
          "ts_rewrite",
          "currtid2",
          "bernoulli",
          "system",
          "amvalidate",
          "bthandler",
          "brinhandler",
          "ginhandler",
          "gisthandler",
          "hashhandler",
          "spghandler",
          "heap_tableam_handler",
          "plpgsql_call_handler",
          "plpgsql_inline_handler",
          "plpgsql_validator",
          "dsnowball_init",
          "dsnowball_lexize",
          "brin_summarize_new_values",
          "brin_summarize_range",
          "brin_desummarize_range",
          "gin_clean_pending_list",
          "suppress_redundant_updates_trigger",
          "tsvector_update_trigger",
          "tsvector_update_trigger_column",
          "unique_key_recheck",
          "ri_fkey_cascade_del",
          "ri_fkey_cascade_upd",
          "ri_fkey_check_ins",
          "ri_fkey_check_upd",
          "ri_fkey_noaction_del",
          "ri_fkey_noaction_upd",
          "ri_fkey_restrict_del",
          "ri_fkey_restrict_upd",
          "ri_fkey_setdefault_del",
          "ri_fkey_setdefault_upd",
          "ri_fkey_setnull_del",
          "ri_fkey_setnull_upd");

  /** A volatile built-in not known to be free of effects beyond its value (fail closed). */
  static boolean volatileWithEffects(String fn) {
    return SqlNames.POSTGRESQL_VOLATILE.contains(fn)
        && !VOLATILE_WITHOUT_EFFECTS.contains(fn)
        && !fn.startsWith("pg_stat_get_xact_");
  }

  /**
   * PostgreSQL functions that act beyond the database they run in: other databases and servers
   * (dblink, postgres_fdw's connections), the server's files (large-object import and export,
   * pg_read_file, adminpack's pg_file_*, directory listings) and everything {@link
   * #SIDE_EFFECT_FUNCTIONS} names. A call of one is unknown in any expression position ({@code
   * Ctx#beyondTheDatabase}), and trace never replays it.
   */
  private static boolean actsBeyondTheDatabase(String fn) {
    return SIDE_EFFECT_FUNCTIONS.contains(fn)
        || BEYOND_THE_DATABASE.contains(fn)
        || volatileWithEffects(fn)
        || fn.startsWith("dblink")
        || fn.startsWith("pg_file_")
        || fn.startsWith("pg_ls_")
        || fn.startsWith("postgres_fdw_")
        || fn.startsWith("pg_stat_reset")
        || (fn.startsWith("pg_create_") && fn.endsWith("_replication_slot"));
  }

  /**
   * False only when no identifier in {@code text[from, to)} can be a name {@link
   * #actsBeyondTheDatabase} accepts, so that the statement need not be tokenized for it: every such
   * name begins with {@code pg_}, {@code lo_}, {@code loread}, {@code lowrite}, {@code dblink},
   * {@code binary_upgrade_} or {@code postgres_fdw_} (SqlNamesTest checks the volatile list), and
   * an identifier holds its characters as written (ASCII case aside) unless it has a non-ASCII
   * character (lower-casing can turn one into ASCII) or is written with Unicode escapes ({@code
   * U&"..."}); either sends the statement to the full look.
   */
  static boolean mayNameBeyondTheDatabase(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c >= 0x80 || mayNameBeyondAt(text, i, to, c)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #mayNameBeyondTheDatabase} at {@code i}, whose (ASCII) character is {@code c}. */
  private static boolean mayNameBeyondAt(String text, int i, int to, char c) {
    return switch (c) {
      case 'p', 'P' -> written(text, i, to, "pg_") || written(text, i, to, "postgres_fdw_");
      case 'l', 'L' ->
          written(text, i, to, "lo_")
              || written(text, i, to, "loread")
              || written(text, i, to, "lowrite");
      case 'd', 'D' -> written(text, i, to, "dblink");
      case 'b', 'B' -> written(text, i, to, "binary_upgrade_");
      case '&' -> i + 1 < to && text.charAt(i + 1) == '"';
      default -> false;
    };
  }

  /** Whether {@code word} (lower-case ASCII letters and '_') is written at {@code i}, any case. */
  private static boolean written(String text, int i, int to, String word) {
    int n = word.length();
    if (i + n > to) {
      return false;
    }
    for (int k = 1; k < n; k++) {
      char w = word.charAt(k);
      char c = text.charAt(i + k);
      if (c != w && (w == '_' || (c | 0x20) != w)) {
        return false;
      }
    }
    return true;
  }

  private static final Set<String> BEYOND_THE_DATABASE =
      Set.of(
          "pg_stat_file",
          "pg_current_logfile",
          "pg_logdir_ls",
          "pg_file_read",
          "pg_file_write",
          "pg_file_rename",
          "pg_file_unlink",
          "pg_file_sync",
          "pg_file_length",
          "lo_get",
          "lo_open",
          "loread",
          "lowrite");

  /**
   * PostgreSQL settings whose change lasts beyond the statement and changes what every later
   * statement of the deployment may do: the role it runs as, or whether it may write at all.
   */
  private static final Set<String> SESSION_WIDE_SETTINGS =
      Set.of(
          "role",
          "authorization",
          "session_authorization",
          "default_transaction_read_only",
          "transaction_read_only",
          "default_transaction_isolation",
          "allow_system_table_mods",
          "ignore_system_indexes",
          "zero_damaged_pages",
          "ignore_checksum_failure");

  /** PostgreSQL extensions that reach the server's files, other servers or untrusted languages. */
  private static final Set<String> UNTRUSTED_EXTENSIONS =
      Set.of(
          "dblink",
          "postgres_fdw",
          "file_fdw",
          "adminpack",
          "plperlu",
          "plpython3u",
          "plpythonu",
          "pltclu",
          "lo",
          "pg_prewarm",
          "pageinspect",
          "pg_buffercache",
          "pg_surgery",
          "amcheck",
          "pg_walinspect",
          "pgrowlocks",
          "pg_visibility",
          "old_snapshot");

  /**
   * G4: MariaDB's {@code sql_mode} changes how the statements after it are read ({@code
   * ANSI_QUOTES}: {@code "x"} is a name, not a string; {@code PIPES_AS_CONCAT}, {@code
   * NO_BACKSLASH_ESCAPES}, {@code IGNORE_SPACE}, {@code ORACLE}, ...): prodguard reads them as the
   * server's default mode does, so a migration that changes it is not analysed (attacker 22/05).
   */
  private static final String SQL_MODE_CHANGE =
      "SET sql_mode changes how MariaDB reads the statements after it (ANSI_QUOTES makes \"x\""
          + " a column name, PIPES_AS_CONCAT, NO_BACKSLASH_ESCAPES, ORACLE ...), so prodguard"
          + " cannot be sure the server reads them as it does; remove the SET and write the"
          + " statements for the server's default mode";

  /** MariaDB settings that switch checks or the binary log off, or change the server. */
  private static final Set<String> MYSQL_SIDE_EFFECT_SETTINGS =
      Set.of(
          "foreign_key_checks",
          "unique_checks",
          "sql_log_bin",
          "password",
          "check_constraint_checks",
          "wsrep_on");

  /** Where a column's DEFAULT expression ends (PostgreSQL column constraints). */
  private static final Set<String> DEFAULT_ENDS =
      Set.of(
          "NOT",
          "NULL",
          "CONSTRAINT",
          "CHECK",
          "REFERENCES",
          "PRIMARY",
          "UNIQUE",
          "GENERATED",
          "COLLATE",
          "COMPRESSION",
          "STORAGE");

  /**
   * Functions and function-like keywords a column default commonly calls that PostgreSQL does not
   * mark volatile (immutable or stable: evaluated once when the column is added). Any other call is
   * treated as volatile, which can only warn more.
   */
  private static final Set<String> NOT_VOLATILE =
      Set.of(
          "NOW",
          "TRANSACTION_TIMESTAMP",
          "STATEMENT_TIMESTAMP",
          "CURRENT_TIMESTAMP",
          "CURRENT_TIME",
          "LOCALTIMESTAMP",
          "LOCALTIME",
          "TIMEZONE",
          "CURRENT_SETTING",
          "CAST",
          "COALESCE",
          "NULLIF",
          "GREATEST",
          "LEAST",
          "ARRAY",
          "ROW",
          "LOWER",
          "UPPER",
          "TRIM",
          "BTRIM",
          "CONCAT",
          "CONCAT_WS",
          "SUBSTRING",
          "SUBSTR",
          "REPLACE",
          "LENGTH",
          "ABS",
          "ROUND",
          "FLOOR",
          "CEIL",
          "EXTRACT",
          "DATE_PART",
          "DATE_TRUNC",
          "MAKE_DATE",
          "MAKE_TIME",
          "MAKE_TIMESTAMP",
          "MAKE_TIMESTAMPTZ",
          "MAKE_INTERVAL",
          "TO_TIMESTAMP",
          "TO_DATE",
          "TO_CHAR",
          "TO_JSON",
          "TO_JSONB",
          "JSON_BUILD_OBJECT",
          "JSONB_BUILD_OBJECT",
          "JSON_BUILD_ARRAY",
          "JSONB_BUILD_ARRAY",
          "ARRAY_FILL",
          "INTERVAL",
          "MD5");

  /**
   * MariaDB storage engines that keep a table's rows when {@code ALTER TABLE ... ENGINE=} converts
   * it; any other engine (BLACKHOLE, MRG_MyISAM, FEDERATED, MEMORY, CSV, SEQUENCE, ...) loses them
   * or hands them to another table.
   */
  private static final Set<String> ROW_KEEPING_ENGINES = Set.of("INNODB", "MYISAM", "ARIA");

  private static final Set<String> UPDATE_STOPS =
      Set.of("FROM", "WHERE", "RETURNING", "ORDER", "LIMIT");

  private final SqlSyntax syntax;
  private final Splitter splitter;
  private final ParserFallback fallback;
  private final SqlNames names;

  public Classifier(SqlSyntax syntax) {
    this.syntax = syntax;
    this.splitter = new Splitter(syntax);
    this.fallback = new ParserFallback(syntax);
    this.names = SqlNames.of(syntax);
  }

  public SqlSyntax syntax() {
    return syntax;
  }

  /** Classifies one statement on its own: calls of routines are judged as unknown bodies. */
  public List<Operation> classify(SqlStatement statement) {
    return classify(statement, new Routines());
  }

  /**
   * Classifies one statement; {@code routines} holds the routines defined before it (in migration
   * order) and learns the ones it defines.
   */
  public List<Operation> classify(SqlStatement statement, Routines routines) {
    List<Operation> out = new ArrayList<>(2);
    Ctx top = new Ctx(statement, out, routines, false, false, 0, null);
    top.top();
    mentions(statement, out, top.marks);
    if (syntax == SqlSyntax.MYSQL) {
      implicitCommit(statement, routines, out);
    }
    return out;
  }

  /**
   * MariaDB commits before and after DDL (CREATE, ALTER, DROP, RENAME, TRUNCATE, GRANT, LOCK
   * TABLES, ...): Flyway's transaction cannot undo what the statements before it in the migration
   * did. After a row change it is transaction control (the rows stay committed when the migration
   * fails later, and the version is missing from the history); after other statements, a partly
   * applied migration ({@link Flag#IMPLICIT_COMMIT}).
   */
  private void implicitCommit(SqlStatement s, Routines routines, List<Operation> out) {
    boolean commits = false;
    boolean ownDdl = false;
    boolean changesRows = false;
    boolean changes = false;
    // DDL that a CALLed procedure or a BEGIN NOT ATOMIC block runs after its own row changes
    // commits them there and then, as a DDL statement of the migration would
    boolean rowsInStatement = false;
    boolean bodyCommitsRows = false;
    for (Operation op : out) {
      if (op.has(Flag.DEFERRED)) {
        continue;
      }
      boolean ddl = commitsImplicitly(op.kind()) && !(op.has(Flag.IN_BODY) && temporary(op));
      // a DDL that a called procedure or a block runs commits the migration's earlier statements
      // as one of the migration's own would
      commits |= ddl;
      ownDdl |= ddl && !op.has(Flag.IN_BODY);
      if (ddl && op.has(Flag.IN_BODY) && rowsInStatement) {
        bodyCommitsRows = true;
      }
      // a call whose body the migrations define is judged by that body's operations (expanded
      // into this statement's, IN_BODY); only a call of an unknown body may change rows itself
      boolean followed =
          (op.kind() == OpKind.CALL || op.kind() == OpKind.FUNCTION_CALL) && !op.has(Flag.OPAQUE);
      boolean rows = changesRows(op.kind()) && !followed || unreadInBody(op);
      rowsInStatement |= rows;
      changesRows |= rows;
      changes |= op.kind() != OpKind.SELECT && op.kind() != OpKind.SET_SESSION;
    }
    if (commits && temporaryTable(s)) {
      commits = false; // CREATE/DROP TEMPORARY TABLE does not commit
    }
    int before = routines.before(s.source(), changesRows, changes);
    if (bodyCommitsRows) {
      commits = true;
      before = 2;
    }
    if (!commits || before == 0) {
      return;
    }
    if (before == 2) {
      out.add(
          new Operation(
              OpKind.TRANSACTION,
              s,
              null,
              null,
              null,
              EnumSet.of(Flag.COMMITS_ROW_CHANGES),
              bodyCommitsRows
                  ? "MariaDB's implicit commit of the DDL that the procedure or BEGIN NOT ATOMIC"
                      + " block this statement runs issues after its own row changes (they stay"
                      + " committed if it fails later)"
                  : ownDdl
                      ? "MariaDB's implicit commit of this DDL (with the row changes before it)"
                      : "MariaDB's implicit commit of the DDL that the procedure or BEGIN NOT"
                          + " ATOMIC block this statement runs issues (with the row changes"
                          + " before it in the migration)",
              null));
    } else {
      out.add(
          new Operation(
              OpKind.TRANSACTION,
              s,
              null,
              null,
              null,
              EnumSet.of(Flag.IMPLICIT_COMMIT),
              ownDdl
                  ? "implicit commit: MariaDB commits this DDL and every statement before it in"
                      + " the migration"
                  : "implicit commit: MariaDB commits the DDL that the procedure or BEGIN NOT"
                      + " ATOMIC block this statement runs issues, and every statement before it"
                      + " in the migration",
              null));
    }
  }

  /** A body operation on a temporary table (which does not commit). */
  private static boolean temporary(Operation op) {
    return op.has(Flag.TEMPORARY);
  }

  private static boolean temporaryTable(SqlStatement s) {
    String head =
        s.source()
            .text()
            .substring(s.start(), Math.min(s.end(), s.start() + 40))
            .toUpperCase(Locale.ROOT);
    head = collapseSpaces(head);
    return head.startsWith("CREATE TEMPORARY") || head.startsWith("DROP TEMPORARY");
  }

  private static boolean commitsImplicitly(OpKind kind) {
    return switch (kind) {
      case DROP_DATABASE,
          DROP_SCHEMA,
          DROP_TABLE,
          DROP_COLUMN,
          TRUNCATE,
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
          GRANT,
          REVOKE,
          CREATE_OTHER,
          ALTER_OTHER,
          DROP_OTHER,
          LOCK ->
          true;
      default -> false;
    };
  }

  /**
   * A part of a followed body that prodguard cannot read (dynamic SQL, an unparsed statement): it
   * may change rows, as the call of an unknown body may (fail closed).
   */
  private static boolean unreadInBody(Operation op) {
    return op.has(Flag.IN_BODY) && (op.kind() == OpKind.DYNAMIC_SQL || op.kind() == OpKind.UNKNOWN);
  }

  private static boolean changesRows(OpKind kind) {
    return switch (kind) {
      case INSERT, UPDATE, DELETE, MERGE, COPY_IN, CALL, FUNCTION_CALL -> true;
      default -> false;
    };
  }

  /**
   * The configured history table ({@code migrations.table}) when it is not one of Flyway's
   * defaults: reserved like them (lower-case last name parts).
   */
  private Set<String> historyTables = Set.of();

  /** Sets {@link #historyTables}. */
  public void historyTables(Set<String> names) {
    this.historyTables = Set.copyOf(names);
  }

  /** One of prodguard's objects, or the configured history table. */
  private boolean reserved(String name) {
    return ProdguardObjects.reserved(name)
        || (name != null && !historyTables.isEmpty() && historyTables.contains(lastPart(name)));
  }

  /** The configured history table named between {@code from} and {@code to}, case aside. */
  private String historyTableIn(String text, int from, int to) {
    for (String t : historyTables) {
      for (int i = from; i + t.length() <= to; i++) {
        if (text.regionMatches(true, i, t, 0, t.length())) {
          return t;
        }
      }
    }
    return null;
  }

  /**
   * Adds a {@link OpKind#REFERENCE} for each of prodguard's object names the statement contains
   * (outside comments), unless an operation already targets one.
   */
  private void mentions(SqlStatement s, List<Operation> out, Marks marks) {
    String text = s.source().text();
    boolean exact = marks != null && marks.exactly(s);
    if ((exact ? !marks.mentions : ProdguardObjects.mentionedIn(text, s.start(), s.end()) == null)
        && !(exact ? marks.unicodeEscape : unicodeEscapedName(text, s.start(), s.end()))
        && historyTableIn(text, s.start(), s.end()) == null) {
      return;
    }
    for (Operation op : out) {
      if (reserved(op.target())) {
        return; // the statement is judged by that operation already
      }
    }
    Set<String> seen = new HashSet<>();
    Lexer lx = new Lexer(s, syntax);
    while (!lx.atEnd()) {
      Token t = lx.next();
      String name = null;
      String how = null;
      if (t.type == Token.Type.WORD || t.type == Token.Type.QUOTED_IDENT || t.holdsPlaceholder()) {
        String id = t.identifier().toLowerCase(Locale.ROOT);
        if (reserved(id)) {
          name = id;
        }
      } else if (t.type == Token.Type.STRING || t.type == Token.Type.DOLLAR_STRING) {
        name = ProdguardObjects.mentionedIn(text, t.start, t.end);
        if (name == null) {
          name = historyTableIn(text, t.start, t.end);
        }
        how = "named in a string";
      }
      if (name != null && seen.add(lastPart(name))) {
        out.add(new Operation(OpKind.REFERENCE, s, name, null, null, null, how, null));
      }
    }
  }

  /** PostgreSQL {@code U&"..."}: a name whose characters may be written as escapes. */
  private boolean unicodeEscapedName(String text, int from, int to) {
    if (syntax != SqlSyntax.POSTGRESQL) {
      return false;
    }
    // bounded by the statement: an unbounded indexOf reads the rest of the file for every
    // statement, quadratic in a file of many statements
    for (int i = from; i + 1 < to; i++) {
      if (text.charAt(i) == '&' && text.charAt(i + 1) == '"') {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text.replaceAll("\\s+", " ")} without a regular expression: each run of the characters
   * {@code \s} stands for (space, tab, line feed, vertical tab, form feed, carriage return) becomes
   * one space.
   */
  static String collapseSpaces(String text) {
    StringBuilder b = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (isRegexSpace(c)) {
        int end = i + 1;
        while (end < n && isRegexSpace(text.charAt(end))) {
          end++;
        }
        if (c != ' ' || end > i + 1) {
          if (b == null) {
            b = new StringBuilder(n).append(text, 0, i);
          }
          b.append(' ');
        } else if (b != null) {
          b.append(' ');
        }
        i = end - 1;
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? text : b.toString();
  }

  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  static String lastPart(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot < 0 ? n : n.substring(dot + 1);
  }

  /**
   * What one pass over a top-level statement's text found for the look-ups that would otherwise
   * each read all of it (issue 15): {@link #mayNameBeyondTheDatabase}, {@link
   * Ctx#setsVariableConflict}, {@link ProdguardObjects#mentionedIn} (whether it finds a name) and
   * {@link #unicodeEscapedName}. A statement nested in it (a routine body's statement, a subquery)
   * lies in the same text: where the whole has no candidate, no part has one.
   */
  static final class Marks {
    final String text;
    final int from;
    final int to;
    boolean beyond;
    boolean variableConflict;
    boolean mentions;
    boolean unicodeEscape;

    Marks(String text, int from, int to) {
      this.text = text;
      this.from = from;
      this.to = to;
    }

    /** Whether {@code st} is the statement these marks were read from. */
    boolean exactly(SqlStatement st) {
      return st.source().text() == text && st.start() == from && st.end() == to;
    }

    /** Whether {@code st} lies within the statement these marks were read from. */
    boolean covers(SqlStatement st) {
      return st.source().text() == text && st.start() >= from && st.end() <= to;
    }
  }

  private static final String VARIABLE_CONFLICT = "variable_conflict";

  /** Reads {@link Marks} of {@code text[from, to)} in one pass, each as its own look-up would. */
  Marks marks(String text, int from, int to) {
    Marks m = new Marks(text, from, to);
    boolean postgres = syntax == SqlSyntax.POSTGRESQL;
    int placeholder = ProdguardObjects.FLYWAY_TABLE_PLACEHOLDER.length();
    int word = VARIABLE_CONFLICT.length();
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!m.beyond) {
        m.beyond = c >= 0x80 || mayNameBeyondAt(text, i, to, c);
      }
      switch (c) {
        case 'v', 'V' -> {
          if (!m.variableConflict
              && i + word <= to
              && text.regionMatches(true, i, VARIABLE_CONFLICT, 0, word)) {
            int p = i - 1;
            while (p >= from && Character.isWhitespace(text.charAt(p))) {
              p--;
            }
            m.variableConflict = p < from || text.charAt(p) != '#';
          }
        }
        case '&' -> {
          if (postgres && i + 1 < to && text.charAt(i + 1) == '"') {
            m.unicodeEscape = true;
          }
        }
        case '$' -> {
          if (!m.mentions
              && to - i >= placeholder
              && text.regionMatches(
                  true, i, ProdguardObjects.FLYWAY_TABLE_PLACEHOLDER, 0, placeholder)) {
            m.mentions = true;
          }
        }
        case '_' -> {
          if (!m.mentions && ProdguardObjects.nameAround(text, i, from, to)) {
            m.mentions = true;
          }
        }
        default -> {}
      }
    }
    return m;
  }

  /** Adds the (dotted) name at {@code ahead}, lower-case, to {@code runs}, when there is one. */
  private static void addDottedName(Lexer ahead, List<String> runs) {
    StringBuilder fn = new StringBuilder();
    while (ahead.peek().isName()) {
      fn.append(ahead.next().identifier().toLowerCase(Locale.ROOT));
      if (!ahead.peek().isPunct('.')) {
        break;
      }
      ahead.next();
      fn.append('.');
    }
    if (fn.length() > 0) {
      runs.add(fn.toString());
    }
  }

  /** The classification of one (possibly nested) statement. */
  private final class Ctx implements Predicate.Tokens {
    final SqlStatement s;
    final List<Operation> out;
    final Routines routines;
    final boolean inBody;
    final boolean deferred;
    final int nesting;
    final Lexer lx;
    String via;

    /** When true, {@link #next} reports calls and data-changing groups in expressions. */
    boolean scanning;

    Token prev;

    /** The token before {@link #prev}: {@code )} in PostgreSQL's {@code (row).f}. */
    Token beforePrev;

    int mutedUntil = -1;

    /** The routine body this statement is in: its parameters and variables (null outside one). */
    Predicate.Scope scope;

    /** The CTEs of the statement this one is the main statement of, by name (lower-case). */
    java.util.Map<String, Predicate.Cte> ctes = java.util.Map.of();

    /** Why the last WHERE read ({@link #hasWhere}) was judged to hold for every row, or null. */
    String whereReason;

    /** The top-level statement's {@link Marks} (read by {@link #top} at nesting 0), or null. */
    Marks marks;

    Ctx(
        SqlStatement s,
        List<Operation> out,
        Routines routines,
        boolean inBody,
        boolean deferred,
        int nesting,
        String via) {
      this.s = s;
      this.out = out;
      this.routines = routines;
      this.inBody = inBody;
      this.deferred = deferred;
      this.nesting = nesting;
      this.via = via;
      this.lx = new Lexer(s, syntax);
    }

    void add(
        OpKind kind,
        String target,
        String column,
        List<String> columns,
        Set<Flag> flags,
        String detail) {
      Set<Flag> f =
          flags == null ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flagsOrEmpty(flags));
      if (inBody) {
        f.add(Flag.IN_BODY);
      }
      if (deferred) {
        f.add(Flag.DEFERRED);
      }
      out.add(new Operation(kind, s, target, column, columns, f, detail, via));
      if (target != null) {
        forgetDefinitions(kind, target, column, detail);
      }
      if (target != null) {
        knownColumns(kind, target, column, detail);
        notNullFacts(kind, target, column, detail, f);
      }
      if (kind == OpKind.CREATE_TABLE || kind == OpKind.DROP_TABLE || kind == OpKind.RENAME_TABLE) {
        routines.table(
            kind,
            target,
            detail != null && detail.startsWith("to ") ? detail.substring(3).strip() : null,
            deferred || inBody);
      }
      if (writesRows(kind) && routines.isView(target)) {
        throughView(kind, target, f, new HashSet<>());
      }
    }

    /**
     * A write to a view the migrations define changes the view's base table (an updatable view, or
     * a rule or INSTEAD OF trigger on it): the write is reported on every relation the view reads,
     * without the view's column names (they may be aliases of other columns). A view whose query
     * prodguard could not read is an unknown target.
     */
    void throughView(OpKind kind, String view, Set<Flag> flags, Set<String> seen) {
      if (!seen.add(lastPart(view))) {
        return;
      }
      List<String> bases = routines.viewBases(view);
      if (bases == null) {
        unknown(
            kind.name().replace('_', ' ')
                + " through view "
                + view
                + ", whose base tables prodguard cannot read");
        return;
      }
      String where = "through view " + view + (via != null ? ", " + via : "");
      for (String base : bases) {
        out.add(new Operation(kind, s, base, null, null, flags, null, where));
        if (routines.isView(base)) {
          throughView(kind, base, flags, seen);
        }
      }
    }

    void addVia(
        String where,
        OpKind kind,
        String target,
        List<String> columns,
        Set<Flag> flags,
        String detail) {
      String saved = via;
      via = where;
      add(kind, target, null, columns, flags, detail);
      via = saved;
    }

    // ---- the token stream ----------------------------------------------------------------

    @Override
    public Token peek(int k) {
      return lx.peek(k);
    }

    /** The next token; while scanning, calls and data-changing groups in it are reported. */
    @Override
    public Token next() {
      Token t = lx.next();
      if (scanning && t.type != Token.Type.EOF && t.start >= mutedUntil) {
        see(t);
      }
      beforePrev = prev;
      prev = t;
      return t;
    }

    /** Consumes the rest of the statement, reporting what it calls. */
    void scanRest() {
      scanning = true;
      while (!lx.atEnd()) {
        next();
      }
    }

    void see(Token t) {
      if (t.isPunct('(')) {
        embedded(t);
      } else if (t.type == Token.Type.WORD || t.type == Token.Type.QUOTED_IDENT) {
        call(t);
      }
    }

    /**
     * {@code (DELETE ...)}, {@code (WITH ...)}: a data-changing statement inside parentheses (a CTE
     * body, a {@code COPY (query)}, a rule action) is classified as a statement.
     */
    void embedded(Token open) {
      Token n = lx.peek();
      if (n.type != Token.Type.WORD) {
        return;
      }
      switch (n.upper()) {
        case "INSERT", "UPDATE", "DELETE", "MERGE", "WITH" -> {}
        default -> {
          return;
        }
      }
      if (!n.is("WITH") && lx.peek(1).isPunct('(')) {
        return; // MySQL's INSERT(str, pos, len, new) string function
      }
      int close = matching(open);
      sub(open.end, close);
      mutedUntil = close; // its calls were reported by the inner statement
    }

    /** The offset of the parenthesis closing {@code open}, or the statement's end. */
    int matching(Token open) {
      Lexer ahead = new Lexer(s.source().text(), open.end, s.end(), syntax);
      int depth = 1;
      while (true) {
        Token t = ahead.next();
        if (t.type == Token.Type.EOF) {
          return s.end();
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')') && --depth == 0) {
          return t.start;
        }
      }
    }

    /**
     * PostgreSQL's attribute notation: {@code s.purge}, {@code sessions.purge} or {@code
     * (row).purge} calls {@code purge(s)} once per row when no column is so named. Where a function
     * of the migrations that takes one argument has that name it is taken for the call (fail
     * closed: prodguard cannot tell the column from the function without the catalog); a routine
     * the server cannot call so (a procedure, a function of no argument, {@link
     * Routines#attributeCallable}) leaves {@code s.purge} a column.
     */
    void attributeCall(Token name) {
      if (syntax != SqlSyntax.POSTGRESQL) {
        return;
      }
      String fn = name.identifier().toLowerCase(Locale.ROOT);
      if (routines.attributeCallable(fn)) {
        callKnown(fn);
      }
    }

    /** Where a name is a relation ({@code FROM app.purge}), never an expression. */
    boolean relationPosition() {
      return prev != null
          && (prev.is("FROM")
              || JOINS.contains(prev.upper())
              || prev.is("JOIN")
              || prev.is("INTO")
              || prev.is("UPDATE")
              || prev.is("TABLE")
              || prev.is("ONLY"));
    }

    /** A name followed by {@code (}: a user function's body is followed or marked opaque. */
    void call(Token t) {
      if (prev != null && prev.isPunct('.')) {
        if (beforePrev != null
            && beforePrev.isPunct(')')
            && !lx.peek().isPunct('(')
            && !lx.peek().isPunct('.')) {
          attributeCall(t);
        }
        return; // the middle of a qualified name, reported at its first part
      }
      List<Token> parts = new ArrayList<>(2);
      parts.add(t);
      int k = 0;
      while (lx.peek(k).isPunct('.') && lx.peek(k + 1).isName()) {
        parts.add(lx.peek(k + 1));
        k += 2;
      }
      if (!lx.peek(k).isPunct('(')) {
        if (parts.size() > 1 && !relationPosition()) {
          attributeCall(parts.get(parts.size() - 1));
        }
        if (routines.readsRunCalls() && !(prev != null && prev.isPunct(':'))) {
          StringBuilder rel = new StringBuilder();
          for (Token p : parts) {
            rel.append(rel.length() == 0 ? "" : ".").append(p.identifier());
          }
          viewRead(rel.toString(), false);
        }
        return;
      }
      Token last = parts.get(parts.size() - 1);
      String fn = last.identifier().toLowerCase(Locale.ROOT);
      String schema =
          parts.size() > 1
              ? parts.get(parts.size() - 2).identifier().toLowerCase(Locale.ROOT)
              : null;
      StringBuilder full = new StringBuilder();
      for (Token p : parts) {
        full.append(full.length() == 0 ? "" : ".").append(p.identifier().toLowerCase(Locale.ROOT));
      }
      if (routines.knows(fn)) {
        callKnown(full.toString());
        return;
      }
      if (syntax == SqlSyntax.POSTGRESQL && parts.size() == 1 && "operator".equals(fn)) {
        return; // OPERATOR(schema.op): an operator, judged by operators()
      }
      // MariaDB reserves the word, yet it is a call that changes the sequence it names
      if (syntax == SqlSyntax.MYSQL && schema == null && "setval".equals(fn)) {
        mariaDbSetval(k + 1);
        return;
      }
      if (parts.size() == 1 && last.type == Token.Type.WORD && names.keyword(fn)) {
        return; // SQL syntax: IN (, VALUES (, OVER (, COALESCE(, ...
      }
      if (aliasPosition()) {
        return; // FROM f() AS g(n), FROM t x(a, b), x::numeric(10, 2)
      }
      if (syntax == SqlSyntax.POSTGRESQL && (schema == null || "pg_catalog".equals(schema))) {
        if (fn.startsWith("pg_advisory_unlock")) {
          add(
              OpKind.REFERENCE,
              fn,
              null,
              null,
              null,
              fn + "() releases advisory locks, prodguard's deploy lock (G8) included");
          return;
        }
        if ("set_config".equals(fn)) {
          setConfig(k + 1);
          return;
        }
        if ("setval".equals(fn)) {
          setval(k + 1);
          return;
        }
        if (SIDE_EFFECT_FUNCTIONS.contains(fn)
            || fn.startsWith("pg_stat_reset")
            || (fn.startsWith("pg_create_") && fn.endsWith("_replication_slot"))) {
          unknown(fn + "() has server-wide side effects prodguard cannot judge");
          return;
        }
      }
      if (names.runsSqlText(fn) && names.builtin(schema, fn)) {
        add(OpKind.DYNAMIC_SQL, null, null, null, null, fn + "() runs the SQL text it is given");
      } else if (names.touchesServerFiles(fn) && names.builtin(schema, fn)) {
        add(
            OpKind.UNKNOWN,
            null,
            null,
            null,
            null,
            fn + "() reads or writes files on the database server");
      } else if (!names.builtin(schema, fn)) {
        add(OpKind.FUNCTION_CALL, full.toString(), null, null, EnumSet.of(Flag.OPAQUE), null);
      }
    }

    /**
     * PostgreSQL {@code setval(sequence, value)} changes the sequence it names: recorded as an
     * ALTER of that sequence (a protected table's sequence is part of it); a sequence named by
     * anything but a string literal (optionally {@code ::regclass}) is unknown.
     */
    void setval(int first) {
      Token arg = lx.peek(first);
      int i = first + 1;
      while (i < first + 5 && (lx.peek(i).isPunct(':') || lx.peek(i).is("REGCLASS"))) {
        i++;
      }
      if (arg.type != Token.Type.STRING || !lx.peek(i).isPunct(',')) {
        unknown("setval() of a sequence that is not named by a string literal");
        return;
      }
      String seq = unquote(arg.text()).replace("\"", "").trim().toLowerCase(Locale.ROOT);
      // a constant value may lie below the keys already handed out (setval('s', max(id)) does not)
      int v = lx.peek(i + 1).isPunct('-') || lx.peek(i + 1).isPunct('+') ? i + 2 : i + 1;
      boolean constant =
          lx.peek(v).type == Token.Type.NUMBER
              && (lx.peek(v + 1).isPunct(',') || lx.peek(v + 1).isPunct(')'));
      add(
          OpKind.ALTER_OTHER,
          seq,
          null,
          null,
          constant ? EnumSet.of(Flag.RESTARTS_SEQUENCE) : null,
          "SEQUENCE");
    }

    /**
     * MariaDB {@code SETVAL(sequence, value)} changes the sequence it names (an identifier, not a
     * string): recorded as an ALTER of that sequence, as PostgreSQL's {@code setval}; anything else
     * in its place is unknown.
     */
    void mariaDbSetval(int first) {
      StringBuilder seq = new StringBuilder();
      int i = first;
      while (lx.peek(i).isName()) {
        seq.append(seq.length() == 0 ? "" : ".").append(lx.peek(i).identifier());
        if (!lx.peek(i + 1).isPunct('.')) {
          i++;
          break;
        }
        i += 2;
      }
      if (seq.length() == 0 || !lx.peek(i).isPunct(',')) {
        unknown("SETVAL() of a sequence prodguard cannot name");
        return;
      }
      add(
          OpKind.ALTER_OTHER,
          seq.toString().toLowerCase(Locale.ROOT),
          null,
          null,
          null,
          "SEQUENCE");
    }

    /**
     * PostgreSQL {@code set_config(name, value, is_local)} is SET in an expression: only a string
     * literal naming a setting can be judged; any other first argument is unknown.
     */
    void setConfig(int first) {
      Token arg = lx.peek(first);
      if (!(arg.type == Token.Type.STRING && lx.peek(first + 1).isPunct(','))) {
        unknown("set_config() with a setting name that is not a string literal");
        return;
      }
      String setting = unquote(arg.text()).toLowerCase(Locale.ROOT).trim();
      if ("search_path".equals(setting)) {
        Token value = lx.peek(first + 2);
        if (value.type != Token.Type.STRING) {
          unknown("set_config('search_path') with a value that is not a string literal");
          return;
        }
        List<String> path = new ArrayList<>();
        for (String part : unquote(value.text()).split(",")) {
          path.add(part.trim());
        }
        searchPath(path);
      }
      if (SESSION_WIDE_SETTINGS.contains(setting)) {
        unknown("set_config('" + setting + "') changes what every later statement may do");
      } else {
        add(OpKind.SET_SESSION, setting);
      }
    }

    /**
     * A search_path that puts a schema before {@code pg_catalog} lets that schema's functions and
     * operators stand in for the built-ins prodguard judges as harmless ({@code now()}, {@code
     * lower()}): every later call may run a body prodguard never saw.
     */
    void searchPath(List<String> path) {
      for (int i = 0; i < path.size(); i++) {
        String p = path.get(i).replace("\"", "").toLowerCase(Locale.ROOT);
        if (p.equals("pg_catalog") && i > 0) {
          unknown(
              "search_path puts "
                  + path.get(0)
                  + " before pg_catalog: its functions would stand in for the built-ins");
          return;
        }
      }
    }

    /** Whether the name just read stands where an alias or a type name stands. */
    boolean aliasPosition() {
      Token p = prev;
      if (p == null) {
        return false;
      }
      if (p.is("AS") || p.isPunct(':') || p.isPunct(')') || p.is("TABLESAMPLE")) {
        return true;
      }
      return p.type == Token.Type.QUOTED_IDENT
          || (p.type == Token.Type.WORD && !names.keyword(p.text().toLowerCase(Locale.ROOT)));
    }

    /**
     * A call of a routine the migrations define. In a deferred body the call is recorded (it is
     * followed when the routine is called); otherwise what the routine runs is classified here.
     */
    void callKnown(String name) {
      add(OpKind.FUNCTION_CALL, name, null, null, null, null);
      if (!deferred) {
        expand(name, new HashSet<>(), 0);
      }
    }

    /** The operations of every known body of {@code name}, as run by this statement. */
    void expand(String name, Set<String> following, int depth) {
      String key = lastPart(name);
      if (!following.add(key)) {
        return; // recursion: that body is being followed already
      }
      if (depth > MAX_CALL_DEPTH) {
        unknown("calls nested too deeply to follow (" + name + ")");
        return;
      }
      for (Routines.Routine r : routines.find(name)) {
        for (Operation op : r.body()) {
          // the body's own line: a routine with several such statements is one finding for each
          String where =
              "in " + r.name() + "()" + lineIn(op.statement()) + ", run by this statement";
          boolean isCall = op.kind() == OpKind.FUNCTION_CALL || op.kind() == OpKind.CALL;
          if (isCall && op.target() != null && routines.knows(op.target())) {
            expand(op.target(), following, depth + 1);
            continue;
          }
          if (isCall && !op.has(Flag.OPAQUE)) {
            continue; // a routine since dropped: nothing to follow, nothing to report twice
          }
          Set<Flag> f = EnumSet.noneOf(Flag.class);
          f.addAll(op.flags());
          f.remove(Flag.DEFERRED);
          f.add(Flag.IN_BODY);
          if (deferred) {
            f.add(Flag.DEFERRED);
          }
          out.add(
              new Operation(
                  op.kind(),
                  s,
                  op.target(),
                  op.column(),
                  op.columns(),
                  f,
                  op.detail(),
                  op.via() != null ? op.via() + ", " + where : where));
        }
      }
      following.remove(key);
    }

    /** {@code " at line 45"} (or {@code " at V8__x.sql:45"} in another file); "" unknown. */
    private String lineIn(SqlStatement body) {
      if (body == null || body.line() <= 0) {
        return "";
      }
      return body.file().equals(s.file())
          ? " at line " + body.line()
          : " at " + body.file() + ":" + body.line();
    }

    void add(OpKind kind, String target) {
      add(kind, target, null, null, null, null);
    }

    /**
     * Follows the columns a table is known to have ({@link Routines#hasColumn}): only statements
     * that run now add one; any change forgets.
     */
    void knownColumns(OpKind kind, String target, String column, String detail) {
      String renamedTo =
          detail != null && detail.startsWith("to ") ? detail.substring(3).strip() : null;
      boolean now = !inBody && !deferred;
      switch (kind) {
        case DROP_TABLE, RENAME_TABLE, CREATE_TABLE -> {
          routines.forgetKnownColumn(target, null);
          if (renamedTo != null) {
            routines.forgetKnownColumn(renamedTo, null);
          }
        }
        case DROP_COLUMN -> routines.forgetKnownColumn(target, column);
        case RENAME_COLUMN -> {
          routines.forgetKnownColumn(target, column);
          if (now && renamedTo != null && column != null) {
            routines.knownColumn(target, renamedTo);
          }
        }
        case ADD_COLUMN -> {
          if (now) {
            routines.knownColumn(target, column);
          }
        }
        default -> {}
      }
    }

    /**
     * Follows the columns the migrations declared NOT NULL ({@link Routines#isNotNull}): only
     * statements that run now add one; a change that may lift it forgets.
     */
    void notNullFacts(OpKind kind, String target, String column, String detail, Set<Flag> f) {
      String renamedTo =
          detail != null && detail.startsWith("to ") ? detail.substring(3).strip() : null;
      boolean now = !inBody && !deferred;
      switch (kind) {
        case DROP_TABLE, CREATE_TABLE -> routines.forgetNotNull(target);
        case RENAME_TABLE -> {
          if (now && renamedTo != null) {
            routines.renameNotNull(target, renamedTo);
          } else {
            routines.forgetNotNull(target);
            routines.forgetNotNull(renamedTo);
          }
        }
        case DROP_COLUMN, DROP_NOT_NULL -> routines.notNull(target, column, false);
        case RENAME_COLUMN -> {
          boolean was = routines.isNotNull(target, column);
          routines.notNull(target, column, false);
          if (now && renamedTo != null) {
            routines.notNull(target, renamedTo, was);
          }
        }
        case ADD_COLUMN, SET_NOT_NULL ->
            routines.notNull(
                target, column, now && (kind == OpKind.SET_NOT_NULL || f.contains(Flag.NOT_NULL)));
        case ALTER_COLUMN_TYPE -> {
          if (syntax == SqlSyntax.MYSQL) {
            routines.notNull(target, column, false); // MODIFY: re-read from its definition
          }
        }
        default -> {}
      }
    }

    /**
     * Whether a column definition ({@link #definition}: tokens joined by NUL) declares the column
     * NOT NULL: {@code NOT NULL}, {@code PRIMARY KEY}, a {@code SERIAL} type or an identity column,
     * outside parentheses ({@code CHECK (x IS NOT NULL)} does not count).
     */
    static boolean declaresNotNull(String definition) {
      String[] t = definition.split("\0", -1);
      int depth = 0;
      for (int i = 0; i < t.length; i++) {
        if (t[i].equals("(")) {
          depth++;
        } else if (t[i].equals(")")) {
          depth--;
        } else if (depth == 0) {
          String next = i + 1 < t.length ? t[i + 1] : "";
          if ((t[i].equals("NOT") && next.equals("NULL"))
              || (t[i].equals("PRIMARY") && next.equals("KEY"))
              || (i == 0 && t[i].matches("(SMALL|BIG)?SERIAL[248]?"))
              || (t[i].equals("AS") && next.equals("IDENTITY"))) {
            return true;
          }
        }
      }
      return false;
    }

    /** The column names of a {@code PRIMARY KEY (a, b)} definition, lower-case; empty if none. */
    static List<String> primaryKeyColumns(String definition) {
      String[] t = definition.split("\0", -1);
      List<String> out = new ArrayList<>();
      for (int i = 0; i + 2 < t.length; i++) {
        if (t[i].equals("PRIMARY") && t[i + 1].equals("KEY") && t[i + 2].equals("(")) {
          for (int k = i + 3; k < t.length && !t[k].equals(")"); k++) {
            if (!t[k].equals(",")) {
              out.add(keyColumn(t[k]));
            }
          }
          return out;
        }
      }
      return out;
    }

    private static String keyColumn(String name) {
      if (name.length() > 1
          && (name.startsWith("\"") || name.startsWith("`"))
          && name.endsWith(name.substring(0, 1))) {
        return name.substring(1, name.length() - 1);
      }
      return name.toLowerCase(Locale.ROOT);
    }

    /**
     * MariaDB: what prodguard knew of the columns an operation changes is stale after it (a MODIFY
     * or CHANGE records the new definition itself, after this).
     */
    void forgetDefinitions(OpKind kind, String target, String column, String detail) {
      String renamedTo =
          detail != null && detail.startsWith("to ") ? detail.substring(3).strip() : null;
      switch (kind) {
        case DROP_TABLE, RENAME_TABLE, CREATE_TABLE -> {
          boolean carry = kind == OpKind.RENAME_TABLE && renamedTo != null && !inBody && !deferred;
          if (carry) {
            routines.renameColumns(target, renamedTo); // a rename keeps every definition
          } else {
            routines.forgetColumns(target);
            if (kind == OpKind.RENAME_TABLE && renamedTo != null) {
              routines.forgetColumns(renamedTo);
            }
          }
        }
        case ALTER_COLUMN_TYPE,
            DROP_COLUMN,
            RENAME_COLUMN,
            ADD_COLUMN,
            ALTER_COLUMN_DEFAULT,
            SET_NOT_NULL,
            DROP_NOT_NULL,
            ALTER_TABLE_OTHER -> {
          if (column != null) {
            String kept = routines.columnDefinition(target, column);
            routines.defineColumn(target, column, null);
            if (kind == OpKind.RENAME_COLUMN && renamedTo != null) {
              // a rename keeps the definition (unless it may not run: a body, a deferred text)
              routines.defineColumn(target, renamedTo, inBody || deferred ? null : kept);
            }
          } else if (kind == OpKind.ALTER_COLUMN_TYPE) {
            routines.forgetColumns(target); // CONVERT TO CHARACTER SET: every text column
          }
        }
        default -> {}
      }
    }

    /**
     * A column definition from the cursor to the end of its list item (a depth-0 comma, or the
     * {@code )} closing the list), consumed: its tokens, words upper-case, joined by NUL (which
     * never occurs in analysed code).
     */
    String definition(Lexer from) {
      StringBuilder sb = new StringBuilder();
      int depth = 0;
      while (!from.atEnd()) {
        Token t = from.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          if (depth == 0) {
            break;
          }
          depth--;
        } else if (depth == 0 && t.isPunct(',')) {
          break;
        }
        from.next();
        if (sb.length() > 0) {
          sb.append('\0');
        }
        sb.append(t.type == Token.Type.WORD ? t.upper() : t.text());
      }
      return sb.toString();
    }

    /**
     * MariaDB {@code MODIFY} and {@code CHANGE}: a new definition of a column. Judged against the
     * definition the migrations gave it before ({@link Routines#columnDefinition}): the same
     * definition, or an {@code ENUM}/{@code SET} with values only appended at the end (same storage
     * size, same attributes), changes no stored value and copies nothing; anything else, or a
     * column whose definition prodguard does not know, changes its type.
     */
    void redefine(String table, String from, String to, String verb) {
      redefine(table, from, to, verb, routines.columnDefinition(table, from));
    }

    /**
     * {@link #redefine(String, String, String, String)} against {@code before}, the definition read
     * before the statement's own rename (a CHANGE that renames forgets the old name first).
     */
    void redefine(String table, String from, String to, String verb, String before) {
      String def = definition(lx);
      if (before != null && ColumnDefinitions.keepsValues(before, def)) {
        add(
            OpKind.ALTER_TABLE_OTHER,
            table,
            from,
            null,
            null,
            verb
                + (before.equals(def)
                    ? " keeps the column's definition"
                    : " only appends ENUM/SET values (no copy, no stored value changes)"));
      } else {
        add(
            OpKind.ALTER_COLUMN_TYPE,
            table,
            from,
            null,
            null,
            verb
                + " redefines the column"
                + (before == null ? " (its previous definition is not known here)" : ""));
      }
      if (!inBody && !deferred && to != null) {
        routines.defineColumn(table, to, def);
        routines.notNull(table, to, declaresNotNull(def));
      }
    }

    /**
     * PostgreSQL {@code ALTER COLUMN c [SET DATA] TYPE t}, the cursor after {@code TYPE} (or {@code
     * SET}): judged against the definition the migrations gave the column ({@link
     * Routines#columnDefinition}); a change that keeps every stored value and index ({@link
     * PgTypeChanges}: a varchar widened, varchar to text, a numeric's precision raised, ...) is no
     * type change. Unknown old definition, a body or deferred text: a type change (fail closed).
     */
    void alterColumnType(String table, String col, boolean setData) {
      String before = routines.columnDefinition(table, col);
      if (syntax != SqlSyntax.POSTGRESQL || inBody || deferred || before == null) {
        add(OpKind.ALTER_COLUMN_TYPE, table, col, null, null, null);
        return;
      }
      Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
      if (setData) {
        ahead.next(); // DATA
        if (!ahead.peek().is("TYPE")) {
          add(OpKind.ALTER_COLUMN_TYPE, table, col, null, null, null);
          return;
        }
        ahead.next();
      }
      String after = definition(ahead);
      if (!PgTypeChanges.keepsStorage(before, after)) {
        add(OpKind.ALTER_COLUMN_TYPE, table, col, null, null, null);
        return;
      }
      String shown =
          after.replace('\0', ' ').replace(" ( ", "(").replace(" )", ")").replace(" ,", ",");
      add(
          OpKind.ALTER_TABLE_OTHER,
          table,
          col,
          null,
          null,
          "TYPE "
              + shown
              + " keeps every stored value (from "
              + typeOf(before)
              + ": no table rewrite, indexes kept)");
      // the new type, the column's other attributes as they were
      routines.defineColumn(table, col, after + attributesOf(before));
    }

    /** The type part of a recorded definition, shown. */
    private String typeOf(String definition) {
      String attributes = attributesOf(definition);
      return definition
          .substring(0, definition.length() - attributes.length())
          .replace('\0', ' ')
          .replace(" ( ", "(")
          .replace(" )", ")")
          .replace(" ,", ",");
    }

    /** What follows the type in a recorded definition (NUL first), or "". */
    private String attributesOf(String definition) {
      String[] t = definition.split("\0", -1);
      for (int i = 1; i < t.length; i++) {
        if (PgTypeChanges.startsAttributes(t[i])) {
          return "\0" + String.join("\0", java.util.Arrays.asList(t).subList(i, t.length));
        }
      }
      return "";
    }

    /**
     * MariaDB CREATE TABLE: the definitions of its columns, for {@link #redefine}. Read ahead,
     * nothing consumed; only when the statement runs now and surely creates the table.
     */
    void recordColumns(String table) {
      recordColumns(table, false);
    }

    /**
     * {@code notNullOnly}: {@code CREATE TABLE IF NOT EXISTS}, which may keep an older table; only
     * its NOT NULL facts are recorded (a wrong one can only report more, {@link
     * Routines#isNotNull}).
     */
    void recordColumns(String table, boolean notNullOnly) {
      if (inBody || deferred || table == null) {
        return;
      }
      Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
      if (!ahead.acceptPunct('(')) {
        return; // LIKE, AS SELECT: columns prodguard does not see
      }
      do {
        Token first = ahead.peek();
        switch (first.upper()) {
          case "CONSTRAINT",
              "PRIMARY",
              "UNIQUE",
              "KEY",
              "INDEX",
              "FOREIGN",
              "CHECK",
              "FULLTEXT",
              "SPATIAL",
              "PERIOD",
              "EXCLUDE",
              "LIKE" -> {
            for (String column : primaryKeyColumns(definition(ahead))) {
              routines.notNull(table, column, true);
            }
          }
          default -> {
            if (!first.isName()) {
              return;
            }
            String column = ahead.next().identifier();
            String definition = definition(ahead);
            if (declaresNotNull(definition)) {
              routines.notNull(table, column, true);
            }
            if (notNullOnly) {
              continue;
            }
            routines.knownColumn(table, column);
            routines.defineColumn(table, column, definition);
          }
        }
      } while (ahead.acceptPunct(','));
    }

    void unknown(String why) {
      add(OpKind.UNKNOWN, null, null, null, null, why);
    }

    void top() {
      if (s.problem() != null) {
        unknown(s.problem());
        return;
      }
      Token first = lx.peek();
      if (first.type == Token.Type.EOF) {
        return;
      }
      if (first.isPunct('(')) {
        select(); // (SELECT ...) UNION (...), or a parenthesised WITH
        return;
      }
      if (first.type != Token.Type.WORD) {
        unknown("does not start with a SQL keyword");
        return;
      }
      int before = out.size();
      if (nesting == 0) {
        marks = marks(s.source().text(), s.start(), s.end());
      }
      statement(first);
      if (first.is("ALTER") || first.is("CREATE")) {
        implicitCalls(before);
      }
      if (syntax == SqlSyntax.POSTGRESQL) {
        operators(first, before);
      }
      beyondTheDatabase(before);
      if (nesting == 0 && syntax == SqlSyntax.POSTGRESQL && setsVariableConflict()) {
        unknown(
            "plpgsql.variable_conflict decides whether a name in a PL/pgSQL body is a variable or"
                + " a column, so prodguard cannot be sure which rows its conditions limit; leave"
                + " the setting at its default, qualify the columns (t.col) and give the"
                + " parameters distinct names (p_col)");
      }
    }

    /**
     * Whether the statement names PostgreSQL's {@code plpgsql.variable_conflict} in any form
     * ({@code SET}, {@code ALTER FUNCTION/DATABASE/ROLE ... SET}, a function's {@code SET} clause,
     * {@code set_config}): any word {@code variable_conflict} but the body directive {@code
     * #variable_conflict}, which {@link #compilerOption} judges.
     */
    boolean setsVariableConflict() {
      if (marks != null && marks.exactly(s)) {
        return marks.variableConflict;
      }
      String text = s.source().text();
      String w = "variable_conflict";
      for (int i = s.start(); i + w.length() <= s.end(); i++) {
        if ((text.charAt(i) == 'v' || text.charAt(i) == 'V')
            && text.regionMatches(true, i, w, 0, w.length())) {
          int p = i - 1;
          while (p >= s.start() && Character.isWhitespace(text.charAt(p))) {
            p--;
          }
          if (p < s.start() || text.charAt(p) != '#') {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * A call of a function that acts beyond the database ({@link #BEYOND_THE_DATABASE}: other
     * databases and servers, the server's files and programs) anywhere in the statement: a column
     * {@code DEFAULT}, a generated column, a {@code CHECK}, an index expression, a view or rule, a
     * policy; the server runs it when a row is written or read, not only where a statement calls it
     * directly. Unknown, whatever the qualifier (extensions such as dblink live in any schema).
     * Routine bodies are read as bodies already (their calls are judged where they run).
     */
    void beyondTheDatabase(int before) {
      if (syntax != SqlSyntax.POSTGRESQL) {
        return;
      }
      boolean may;
      if (marks != null && marks.exactly(s)) {
        may = marks.beyond;
      } else if (marks != null && marks.covers(s) && !marks.beyond) {
        may = false; // nothing in the whole statement, so nothing in this part of it
      } else {
        may = mayNameBeyondTheDatabase(s.source().text(), s.start(), s.end());
      }
      if (!may) {
        return; // no call there can name one (the statements of a migration mostly)
      }
      for (String call : callsIn(s.start(), s.end(), c -> actsBeyondTheDatabase(lastPart(c)))) {
        String fn = lastPart(call);
        boolean reported = false;
        for (int i = before; i < out.size() && !reported; i++) {
          Operation op = out.get(i);
          reported =
              (op.kind() == OpKind.UNKNOWN || op.kind() == OpKind.DYNAMIC_SQL)
                  && op.detail() != null
                  && op.detail().startsWith(fn + "()");
        }
        if (!reported) {
          unknown(
              fn
                  + "() acts beyond the database (other databases or servers, the server's files"
                  + " or programs, replication, the WAL), wherever the statement has it: prodguard"
                  + " cannot judge it");
        }
      }
    }

    /**
     * DDL that evaluates expressions for a table's rows runs the functions they call: a column
     * {@code DEFAULT} or generated column (for every existing row when added, for every new row
     * later), a {@code CHECK} constraint (validated against every row), an index expression (for
     * every row). A call of a routine the migrations define, anywhere in such a statement, is
     * followed into its body here, as {@code SELECT f()} is, unless the statement reported it
     * already. Statements that define routines, triggers, rules or views are judged as before
     * (their bodies run later).
     */
    void implicitCalls(int before) {
      if (!routines.any() && syntax != SqlSyntax.POSTGRESQL) {
        return;
      }
      boolean table = false;
      Set<String> reported = new HashSet<>();
      for (int i = before; i < out.size(); i++) {
        Operation op = out.get(i);
        switch (op.kind()) {
          case CREATE_FUNCTION,
              ALTER_FUNCTION,
              DROP_FUNCTION,
              CREATE_TRIGGER,
              DROP_TRIGGER,
              CREATE_RULE,
              CREATE_VIEW,
              DROP_VIEW,
              DO_BLOCK -> {
            return;
          }
          case FUNCTION_CALL, CALL -> {
            if (op.target() != null) {
              reported.add(lastPart(op.target()));
            }
          }
          default -> {}
        }
        table |= op.kind().touchesTable() || op.kind() == OpKind.CREATE_TABLE;
      }
      Token second = new Lexer(s, syntax).peek(1);
      if (!table && !second.is("DOMAIN")) {
        return;
      }
      for (String fn : callsIn(s.start(), s.end())) {
        if (reported.add(lastPart(fn))) {
          callKnown(fn);
        }
      }
      if (syntax == SqlSyntax.POSTGRESQL) {
        // a routine the migrations do not define (the target's, or none): its body is unseen
        for (String fn : ddlExpressionCalls()) {
          if (reported.add(lastPart(fn))) {
            add(OpKind.FUNCTION_CALL, fn, null, null, EnumSet.of(Flag.OPAQUE), null);
          }
        }
      }
    }

    /** Words before a name and a parenthesis that make it no call (a relation, a type, a key). */
    static final Set<String> NOT_BEFORE_CALL =
        Set.of(
            "REFERENCES",
            "KEY",
            "TABLE",
            "ON",
            "INDEX",
            "AS",
            "TYPE",
            "ONLY",
            "EXISTS",
            "INCLUDE",
            "CONSTRAINT",
            "INHERITS",
            "OF",
            "TO",
            "COLLATE",
            "EXCLUDE",
            "DOMAIN",
            "CHARACTER",
            "CHAR",
            "NCHAR",
            "BIT",
            "VARYING",
            "NATIONAL");

    /**
     * The calls of routines that are neither built in nor defined by the migrations in the
     * expressions of a DDL statement that the server evaluates for a table's rows (G4): a {@code
     * CHECK}, a column {@code DEFAULT}, a generated column, an {@code ALTER COLUMN TYPE ... USING},
     * an index's or an exclusion constraint's elements and {@code WHERE} predicate.
     */
    List<String> ddlExpressionCalls() {
      List<String> calls = new ArrayList<>();
      Lexer ahead = new Lexer(s.source().text(), s.start(), s.end(), syntax);
      boolean index = false;
      boolean on = false;
      boolean elements = false;
      boolean toEnd = false;
      int depth = 0;
      int region = -1; // the depth of the expression being read; -1: none
      boolean paren = false; // the next parenthesis opens the region
      boolean regionParen = false;
      boolean excludeList = false;
      boolean exclude = false;
      Token prevTok = null;
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          depth++;
          if (paren || (index && on && !elements) || excludeList) {
            region = depth;
            regionParen = true;
            paren = false;
            excludeList = false;
            elements |= index && on;
          }
        } else if (t.isPunct(')')) {
          depth--;
          if (region >= 0 && depth < region && !toEnd) {
            region = -1;
          }
        } else if (t.isPunct(',') && region >= 0 && depth == region && !toEnd && !regionParen) {
          region = -1;
        }
        if (t.type == Token.Type.WORD) {
          if (t.is("INDEX") && prevTok != null && (prevTok.is("CREATE") || prevTok.is("UNIQUE"))) {
            index = true;
          } else if (index && t.is("ON")) {
            on = true;
          } else if (index && elements && t.is("WHERE")) {
            region = 0;
            toEnd = true;
          } else if (t.is("EXCLUDE")) {
            excludeList = true;
            exclude = true;
          } else if (exclude && t.is("WHERE")) {
            paren = true; // EXCLUDE ... WHERE (predicate)
          } else if (t.is("CHECK") || (t.is("AS") && prevTok != null && prevTok.is("ALWAYS"))) {
            paren = true;
          } else if (t.is("DEFAULT")
              || (t.is("USING") && !index && !(prevTok != null && prevTok.is("EXCLUDE")))) {
            region = depth;
            regionParen = false;
          }
        }
        if (region >= 0 && (t.type == Token.Type.WORD || t.type == Token.Type.QUOTED_IDENT)) {
          boolean qualifiedTail = prevTok != null && prevTok.isPunct('.');
          boolean notCall =
              qualifiedTail
                  || (prevTok != null
                      && (prevTok.isPunct(':')
                          || (prevTok.type == Token.Type.WORD
                              && NOT_BEFORE_CALL.contains(prevTok.upper()))
                          || (prevTok.type == Token.Type.QUOTED_IDENT)
                          || (prevTok.type == Token.Type.WORD
                              && !names.keyword(prevTok.text().toLowerCase(Locale.ROOT)))));
          int k = 0;
          while (ahead.peek(k).isPunct('.') && ahead.peek(k + 1).isName()) {
            k += 2;
          }
          if (!notCall && ahead.peek(k).isPunct('(')) {
            String fn = t.identifier().toLowerCase(Locale.ROOT);
            StringBuilder full = new StringBuilder(fn);
            for (int j = 1; j < k; j += 2) {
              full.append('.').append(ahead.peek(j).identifier().toLowerCase(Locale.ROOT));
            }
            String last = lastPart(full.toString());
            String schema = k == 0 ? null : full.substring(0, full.lastIndexOf("."));
            if (!(t.type == Token.Type.WORD && k == 0 && names.keyword(fn))
                && !names.builtin(schema, last)
                && !routines.knows(last)) {
              calls.add(full.toString());
            }
          }
        }
        prevTok = t;
      }
      return calls;
    }

    /** The characters of a PostgreSQL operator name. */
    static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";

    /**
     * PostgreSQL evaluates user code for the operators and operator classes a statement names (G4):
     * a user operator's function (in a WHERE, a CHECK that ALTER TABLE or ALTER DOMAIN validates on
     * the stored rows, an EXCLUDE ... WITH, an ORDER BY ... USING, an index predicate), an index's
     * operator class's support functions and operators. Those the migrations create ({@code CREATE
     * OPERATOR}, {@code CREATE OPERATOR CLASS}, {@code ALTER OPERATOR FAMILY ... ADD}) and those
     * the target has ({@code verify}) are followed as calls of their functions; any other name that
     * is not built in (pg_catalog, the contrib extensions) is a call whose body prodguard cannot
     * read ({@link Flag#OPAQUE}: fail closed).
     */
    void operators(Token first, int before) {
      Lexer head = new Lexer(s, syntax);
      Token a = head.next();
      Token b = head.next();
      Token c = head.next();
      if ((a.is("CREATE") || a.is("ALTER") || a.is("DROP") || a.is("COMMENT"))
          && (b.is("OPERATOR") || c.is("OPERATOR") || head.peek().is("OPERATOR"))) {
        if (b.is("OPERATOR") && (a.is("CREATE") || a.is("ALTER"))) {
          defineOperator(a.is("ALTER"));
        }
        return; // the definition names the operator, it does not evaluate it
      }
      if (((a.is("CREATE") || a.is("DROP")) && b.is("CAST")) || (a.is("COMMENT") && c.is("CAST"))) {
        if (a.is("CREATE")) {
          defineCast();
        }
        return; // the definition names the cast, it does not run it
      }
      boolean ddl = first.is("CREATE") || first.is("ALTER");
      if (!routines.anyOperators() && onlyBuiltinOperators(ddl)) {
        return; // most statements: no operator but PostgreSQL's, no index to read
      }
      Set<String> followed = new HashSet<>();
      for (int i = before; i < out.size(); i++) {
        Operation op = out.get(i);
        if ((op.kind() == OpKind.FUNCTION_CALL || op.kind() == OpKind.CALL)
            && op.target() != null) {
          followed.add(op.target());
        }
      }
      if (evaluates(a, b, c, head.peek())) {
        // IN, NULLIF, CASE x WHEN, IS DISTINCT FROM, BETWEEN, LIKE, ORDER BY, DISTINCT, GROUP BY,
        // UNION, min/max, GREATEST, a join's USING, an INSERT's value of another type: the server
        // picks an operator, a default operator class or a cast by types prodguard does not
        // resolve. With a user one that it could pick, every statement that evaluates a value is
        // read as calling each of them (more, never less)
        Set<String> implicit = routines.implicitRuns();
        if (!implicit.isEmpty()) {
          runAll(implicit, followed, 0);
        }
      }
      Lexer ahead = new Lexer(s.source().text(), s.start(), s.end(), syntax);
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        if (t.is("OPERATOR") && ahead.peek().isPunct('(')) {
          ahead.next();
          StringBuilder schema = new StringBuilder();
          StringBuilder op = new StringBuilder();
          while (!ahead.atEnd() && !ahead.peek().isPunct(')')) {
            Token p = ahead.next();
            if (p.isName()) {
              schema.append(p.identifier().toLowerCase(Locale.ROOT));
            } else if (p.type == Token.Type.PUNCT && !p.isPunct('.')) {
              op.append(p.text());
            }
          }
          String sch = schema.length() == 0 ? null : schema.toString();
          useOperator(op.toString(), sch != null && !"pg_catalog".equals(sch), followed);
          continue;
        }
        if (t.type != Token.Type.PUNCT || !operatorChar(t)) {
          continue;
        }
        StringBuilder op = new StringBuilder(t.text());
        int end = t.end;
        while (ahead.peek().type == Token.Type.PUNCT
            && ahead.peek().start == end
            && operatorChar(ahead.peek())) {
          Token n = ahead.next();
          op.append(n.text());
          end = n.end;
        }
        useOperator(postgresOperator(op.toString()), false, followed);
      }
      if (ddl) {
        operatorClasses(followed);
      }
    }

    /**
     * Whether every run of operator characters in the statement's text (strings, comments and
     * bodies included: more runs than the lexer's, never fewer) reads as a built-in operator, and
     * the text names neither {@code OPERATOR(} nor, for DDL ({@code ddl}), an index or an exclusion
     * constraint (operator classes): then {@link #operators} has nothing to find.
     */
    boolean onlyBuiltinOperators(boolean ddl) {
      String text = s.source().text();
      int end = s.end();
      for (int i = s.start(); i < end; i++) {
        char ch = text.charAt(i);
        if (OPERATOR_CHARS.indexOf(ch) >= 0) {
          int j = i + 1;
          while (j < end && OPERATOR_CHARS.indexOf(text.charAt(j)) >= 0) {
            j++;
          }
          String op = postgresOperator(text.substring(i, j));
          if (!SqlNames.POSTGRESQL_OPERATORS.contains(op)
              || op.length() < j - i
                  && !SqlNames.POSTGRESQL_OPERATORS.contains(text.substring(i + op.length(), j))
                  && !onlySigns(text, i + op.length(), j)) {
            return false;
          }
          i = j - 1;
        } else if ((ch == 'o' || ch == 'O')
            && text.regionMatches(true, i, "operator", 0, 8)
            && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))) {
          return false;
        } else if (ddl
            && (((ch == 'i' || ch == 'I') && text.regionMatches(true, i, "index", 0, 5))
                || ((ch == 'e' || ch == 'E') && text.regionMatches(true, i, "exclude", 0, 7)))) {
          return false;
        }
      }
      return true;
    }

    static boolean onlySigns(String text, int from, int to) {
      for (int i = from; i < to; i++) {
        if (text.charAt(i) != '+' && text.charAt(i) != '-') {
          return false;
        }
      }
      return true;
    }

    boolean operatorChar(Token t) {
      String x = t.text();
      if (x.isEmpty()) {
        return false;
      }
      for (int i = 0; i < x.length(); i++) {
        if (OPERATOR_CHARS.indexOf(x.charAt(i)) < 0) {
          return false;
        }
      }
      return true;
    }

    /**
     * The operator PostgreSQL's lexer reads from a run of operator characters: a name of more than
     * one character ends in {@code +} or {@code -} only when it holds one of {@code ~!@#%^&|`?}.
     */
    static String postgresOperator(String run) {
      String op = run;
      boolean special = false;
      for (char ch : "~!@#%^&|`?".toCharArray()) {
        special |= op.indexOf(ch) >= 0;
      }
      while (!special && op.length() > 1 && (op.endsWith("+") || op.endsWith("-"))) {
        op = op.substring(0, op.length() - 1);
      }
      return op;
    }

    /** A use of operator {@code op} ({@code userSchema}: qualified with a schema of a user). */
    void useOperator(String op, boolean userSchema, Set<String> followed) {
      if (op.isEmpty() || op.equals("=>") || op.equals(".")) {
        return; // a named argument, not an operator
      }
      Set<String> runs = routines.operatorRuns(op, false);
      if (runs == null) {
        if (!userSchema && SqlNames.POSTGRESQL_OPERATORS.contains(op)) {
          return;
        }
        if (followed.add("operator:" + op)) {
          add(OpKind.FUNCTION_CALL, op, null, null, EnumSet.of(Flag.OPAQUE), "operator");
        }
        return;
      }
      runAll(runs, followed, 0);
    }

    /** Follows what an operator or operator class runs: its functions, its operators'. */
    void runAll(Set<String> runs, Set<String> followed, int depth) {
      for (String fn : runs) {
        if (fn.startsWith("operator:") || fn.startsWith("family:")) {
          boolean family = fn.startsWith("family:");
          String name = fn.substring(fn.indexOf(':') + 1);
          if (followed.add(fn) && depth < MAX_CALL_DEPTH) {
            Set<String> more = routines.operatorRuns(name, family);
            if (more != null) {
              runAll(more, followed, depth + 1);
            } else if (!family && !SqlNames.POSTGRESQL_OPERATORS.contains(name)) {
              add(OpKind.FUNCTION_CALL, name, null, null, EnumSet.of(Flag.OPAQUE), "operator");
            }
          }
          continue;
        }
        if (!followed.add(fn)) {
          continue;
        }
        int dot = fn.lastIndexOf('.');
        String schema = dot < 0 ? null : fn.substring(0, dot);
        if (routines.knows(fn)
            && (schema == null
                || routines.find(fn).stream()
                    .anyMatch(r -> r.name().equalsIgnoreCase(fn) || r.name().indexOf('.') < 0))) {
          callKnown(fn);
        } else if (!names.builtin(schema, lastPart(fn))) {
          add(OpKind.FUNCTION_CALL, fn, null, null, EnumSet.of(Flag.OPAQUE), null);
        }
      }
    }

    /**
     * The operator classes an index or an exclusion constraint names ({@code (col opclass)}, {@code
     * (expr opclass)}): each element of the parenthesised list after {@code ON t [USING m]} or
     * {@code EXCLUDE [USING m]} whose name follows its column or expression.
     */
    void operatorClasses(Set<String> followed) {
      Lexer ahead = new Lexer(s.source().text(), s.start(), s.end(), syntax);
      boolean index = false;
      boolean on = false;
      Token prevTok = null;
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        if (t.is("INDEX") && prevTok != null && (prevTok.is("CREATE") || prevTok.is("UNIQUE"))) {
          index = true;
        }
        if (index && t.is("ON")) {
          on = true;
        }
        boolean list = t.isPunct('(') && ((index && on) || exclusionList(t));
        prevTok = t;
        if (list) {
          elements(ahead, followed);
          index = false;
          on = false;
        }
      }
    }

    /** The statements that evaluate no value: they cannot run an operator or a cast. */
    static final Set<String> EVALUATES_NOTHING =
        Set.of(
            "GRANT",
            "REVOKE",
            "COMMENT",
            "DROP",
            "BEGIN",
            "COMMIT",
            "START",
            "ROLLBACK",
            "END",
            "SAVEPOINT",
            "RELEASE",
            "SET",
            "RESET");

    /** The definitions that evaluate no value (a routine's body runs when it is called). */
    static final Set<String> DEFINES_ONLY =
        Set.of("FUNCTION", "PROCEDURE", "TYPE", "CAST", "SCHEMA", "OPERATOR");

    /**
     * Whether a statement starting {@code a b c d} may evaluate a value (and so run an operator or
     * a cast PostgreSQL picks by itself): all but transaction control, settings, privileges,
     * comments, drops and the definitions of routines, types, casts and schemas.
     */
    static boolean evaluates(Token a, Token b, Token c, Token d) {
      if (a.type == Token.Type.WORD && EVALUATES_NOTHING.contains(a.upper())) {
        return false;
      }
      if (a.is("CREATE")) {
        Token what = b.is("OR") && c.is("REPLACE") ? d : b;
        return !(what.type == Token.Type.WORD && DEFINES_ONLY.contains(what.upper()));
      }
      return true;
    }

    /**
     * Records what {@code CREATE CAST (source AS target) WITH FUNCTION f} makes the server run: f,
     * wherever it casts a value of the source type (explicitly, on assignment, implicitly). WITHOUT
     * FUNCTION and WITH INOUT casts run no user function of theirs.
     */
    void defineCast() {
      Lexer ahead = new Lexer(s, syntax);
      ahead.next(); // CREATE
      ahead.next(); // CAST
      if (!ahead.peek().isPunct('(')) {
        return;
      }
      int from = ahead.peek().start;
      skipParens(ahead);
      String text = s.source().text();
      int to = Math.min(s.end(), ahead.peek().start);
      String types =
          text.substring(from, Math.max(from, to))
              .strip()
              .toLowerCase(Locale.ROOT)
              .replaceAll("\\s+", " ");
      if (!(ahead.peek().is("WITH") && ahead.peek(1).is("FUNCTION"))) {
        return;
      }
      ahead.next();
      ahead.next();
      List<String> fn = new ArrayList<>();
      addDottedName(ahead, fn);
      if (!fn.isEmpty()) {
        routines.defineOperator("cast " + types, false, fn, true);
      }
    }

    /** Whether the parenthesis at {@code open} opens an EXCLUDE's element list. */
    boolean exclusionList(Token open) {
      String text = s.source().text();
      String before = text.substring(s.start(), open.start).toUpperCase(Locale.ROOT).strip();
      return before.matches("(?s).*\\bEXCLUDE(\\s+USING\\s+\\w+)?$");
    }

    /** The words of an index or exclusion element that are no operator class. */
    static final Set<String> ELEMENT_WORDS =
        Set.of("ASC", "DESC", "NULLS", "FIRST", "LAST", "COLLATE", "WITH");

    /** Reads one element list (after its open parenthesis) for operator class names. */
    void elements(Lexer ahead, Set<String> followed) {
      int depth = 1;
      Token last = null;
      boolean collate = false;
      while (!ahead.atEnd() && depth > 0) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
          if (depth == 0) {
            return;
          }
        } else if (depth == 1 && t.isPunct(',')) {
          last = null;
          collate = false;
          continue;
        }
        if (depth == 1
            && t.isName()
            && last != null
            && !collate
            && (last.isPunct(')')
                || (last.isName()
                    && !(last.type == Token.Type.WORD && ELEMENT_WORDS.contains(last.upper()))))
            && !(t.type == Token.Type.WORD && ELEMENT_WORDS.contains(t.upper()))) {
          StringBuilder name = new StringBuilder(t.identifier().toLowerCase(Locale.ROOT));
          while (ahead.peek().isPunct('.') && ahead.peek(1).isName()) {
            ahead.next();
            name.append('.').append(ahead.next().identifier().toLowerCase(Locale.ROOT));
          }
          useOperatorClass(name.toString(), followed);
          last = null; // one class per element
          continue;
        }
        if (depth == 1) {
          collate = t.is("COLLATE") || (collate && t.isPunct('.'));
          last = t;
        } else if (depth == 2 && t.isPunct('(')) {
          last = null;
        }
      }
    }

    void useOperatorClass(String name, Set<String> followed) {
      Set<String> runs = routines.operatorRuns(name, true);
      if (runs != null) {
        runAll(runs, followed, 0);
      } else if (!SqlNames.POSTGRESQL_OPERATOR_CLASSES.contains(lastPart(name))
          && followed.add("opclass:" + name)) {
        add(OpKind.FUNCTION_CALL, name, null, null, EnumSet.of(Flag.OPAQUE), "operator class");
      }
    }

    /**
     * Records what {@code CREATE OPERATOR}, {@code CREATE OPERATOR CLASS/FAMILY} and {@code ALTER
     * OPERATOR FAMILY ... ADD} make the server run ({@link Routines#defineOperator}).
     */
    void defineOperator(boolean alter) {
      Lexer ahead = new Lexer(s, syntax);
      ahead.next(); // CREATE, ALTER
      ahead.next(); // OPERATOR
      boolean cls = ahead.peek().is("CLASS") || ahead.peek().is("FAMILY");
      // a family may be a default class's, a built-in one's too (ALTER OPERATOR FAMILY integer_ops
      // ADD ...): what it holds may be picked unnamed (more, never less)
      boolean family = ahead.peek().is("FAMILY");
      if (cls) {
        ahead.next();
        StringBuilder name = new StringBuilder();
        while (ahead.peek().isName() || ahead.peek().isPunct('.')) {
          Token p = ahead.next();
          name.append(p.isPunct('.') ? "." : p.identifier().toLowerCase(Locale.ROOT));
          if (!ahead.peek().isPunct('.') && !(name.charAt(name.length() - 1) == '.')) {
            break;
          }
        }
        // CREATE OPERATOR CLASS c DEFAULT FOR TYPE: ORDER BY, DISTINCT, GROUP BY pick it unnamed
        boolean dflt = family || ahead.peek().is("DEFAULT");
        List<String> runs = new ArrayList<>();
        while (!ahead.atEnd()) {
          Token t = ahead.next();
          if (t.is("FAMILY") && ahead.peek().isName()) {
            runs.add("family:" + ahead.next().identifier().toLowerCase(Locale.ROOT));
          } else if (t.is("FUNCTION") || t.is("OPERATOR")) {
            boolean function = t.is("FUNCTION");
            if (ahead.peek().type == Token.Type.NUMBER) {
              ahead.next();
            }
            if (function && ahead.peek().isPunct('(')) {
              skipParens(ahead); // the types the support function is registered for
            }
            if (function) {
              addDottedName(ahead, runs);
            } else {
              runs.add("operator:" + operatorAt(ahead));
            }
          }
        }
        routines.defineOperator(name.toString(), true, runs, dflt);
        return;
      }
      if (alter) {
        return; // ALTER OPERATOR ... SET (RESTRICT = f): read as a definition below would do
      }
      String op = operatorAt(ahead);
      if (!ahead.acceptPunct('(')) {
        return;
      }
      List<String> runs = new ArrayList<>();
      while (!ahead.atEnd()) {
        Token key = ahead.next();
        if ((key.is("FUNCTION") || key.is("PROCEDURE") || key.is("RESTRICT") || key.is("JOIN"))
            && ahead.acceptPunct('=')) {
          addDottedName(ahead, runs);
        }
      }
      routines.defineOperator(op, false, runs);
    }

    /** An operator name at the lexer's position ({@code schema.op} too): its last part. */
    String operatorAt(Lexer ahead) {
      while (ahead.peek().isName() && ahead.peek(1).isPunct('.')) {
        ahead.next();
        ahead.next();
      }
      if (ahead.peek().is("OPERATOR") && ahead.peek(1).isPunct('(')) {
        ahead.next();
        ahead.next();
        StringBuilder op = new StringBuilder();
        while (!ahead.atEnd() && !ahead.peek().isPunct(')')) {
          Token p = ahead.next();
          if (p.type == Token.Type.PUNCT && !p.isPunct('.')) {
            op.append(p.text());
          }
        }
        ahead.next();
        return op.toString();
      }
      StringBuilder op = new StringBuilder();
      int end = -1;
      while (ahead.peek().type == Token.Type.PUNCT
          && operatorChar(ahead.peek())
          && (end < 0 || ahead.peek().start == end)) {
        Token n = ahead.next();
        op.append(n.text());
        end = n.end;
      }
      return postgresOperator(op.toString());
    }

    static void skipParens(Lexer ahead) {
      int depth = 0;
      do {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
      } while (depth > 0 && !ahead.atEnd());
    }

    /** The routines the migrations define that the code in [from, to) calls, as written. */
    List<String> callsIn(int from, int to) {
      return callsIn(from, to, routines::knows);
    }

    /** The calls in the code in [from, to) of functions {@code which} accepts, as written. */
    List<String> callsIn(int from, int to, java.util.function.Predicate<String> which) {
      List<String> calls = new ArrayList<>();
      Lexer ahead = new Lexer(s.source().text(), from, to, syntax);
      Token prevToken = null;
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        boolean qualifiedTail = prevToken != null && prevToken.isPunct('.');
        prevToken = t;
        if (qualifiedTail || !(t.type == Token.Type.WORD || t.type == Token.Type.QUOTED_IDENT)) {
          continue;
        }
        int k = 0;
        while (ahead.peek(k).isPunct('.') && ahead.peek(k + 1).isName()) {
          k += 2;
        }
        if (!ahead.peek(k).isPunct('(')) {
          continue; // no call: the name is not built (most words of a statement)
        }
        StringBuilder full = new StringBuilder(t.identifier().toLowerCase(Locale.ROOT));
        for (int j = 1; j < k; j += 2) {
          full.append('.').append(ahead.peek(j).identifier().toLowerCase(Locale.ROOT));
        }
        if (which.test(full.toString())) {
          calls.add(full.toString());
        }
      }
      return calls;
    }

    void statement(Token first) {
      switch (first.upper()) {
        case "SELECT", "VALUES", "TABLE" -> select();
        case "SHOW", "DESCRIBE", "DESC" -> add(OpKind.SELECT, null);
        case "WITH" -> with();
        case "INSERT", "REPLACE" -> insert();
        case "UPDATE" -> update();
        case "DELETE" -> delete();
        case "MERGE" -> merge();
        case "TRUNCATE" -> truncate();
        case "COPY" -> copy();
        case "LOAD" -> load();
        case "CREATE" -> create();
        case "ALTER" -> alter();
        case "DROP" -> drop();
        case "RENAME" -> rename();
        case "GRANT" -> grantOrRevoke(OpKind.GRANT);
        case "REVOKE" -> grantOrRevoke(OpKind.REVOKE);
        case "REASSIGN" -> add(OpKind.GRANT, null, null, null, null, "REASSIGN OWNED");
        case "COMMENT" -> add(OpKind.COMMENT, null);
        case "SET" -> set();
        case "RESET" -> {
          if (syntax == SqlSyntax.MYSQL) {
            unknown("RESET (MASTER, SLAVE, REPLICA, QUERY CACHE) changes the server");
          } else {
            next();
            add(OpKind.SET_SESSION, lx.peek().isName() ? variable() : null);
          }
        }
        case "USE" -> {
          next();
          String schema = name(); // MariaDB: unqualified names now resolve in this database
          add(OpKind.SET_SESSION, null, null, null, null, schema == null ? "USE" : "USE " + schema);
        }
        case "BEGIN" -> begin();
        case "START" -> {
          if (lx.peek(1).is("TRANSACTION")) {
            transaction();
          } else {
            unknown("START of an unrecognised kind");
          }
        }
        case "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END", "ABORT", "XA" -> transaction();
        case "LOCK" -> lock();
        case "UNLOCK" -> add(OpKind.LOCK, null);
        case "VACUUM", "REINDEX", "CLUSTER", "OPTIMIZE" -> maintenance(first);
        case "REFRESH" -> {
          add(OpKind.MAINTENANCE, null);
          next();
          if (lx.accept("MATERIALIZED") && lx.accept("VIEW")) {
            lx.accept("CONCURRENTLY");
            String view = name();
            if (view != null) {
              viewRead(view, true);
            }
          }
        }
        case "ANALYZE",
            "ANALYSE",
            "CHECKPOINT",
            "DISCARD",
            "NOTIFY",
            "LISTEN",
            "UNLISTEN",
            "DEALLOCATE",
            "CHECKSUM" ->
            add(OpKind.MAINTENANCE, null);
        case "EXPLAIN" -> explain();
        case "CALL" -> {
          next();
          callStatement(name());
        }
        case "DO" -> doBlock();
        case "EXECUTE" -> add(OpKind.DYNAMIC_SQL, null, null, null, null, "EXECUTE");
        case "PREPARE" -> prepare();
        default -> fallback.classify(s, this::add, this::unknown);
      }
    }

    // ---- names -------------------------------------------------------------------------

    /**
     * A possibly qualified object name, lower-case; null when the next token is not a name. A
     * Flyway placeholder in it ({@code ${schema}.t}, {@code t_${suffix}}) is replaced by Flyway
     * before the server reads the text, with a value prodguard does not know: in the qualifier it
     * may be any schema (the bare name is returned, which every schema's protected table of that
     * name matches); in the object's own name it may be any object, which is unknown, except {@code
     * ${flyway:table}}, Flyway's history table (a reserved name, {@link ProdguardObjects}).
     */
    String name() {
      Token t = lx.peek();
      if (!t.isName()) {
        return null;
      }
      next();
      List<String> parts = new ArrayList<>(2);
      boolean[] placeholder = new boolean[1];
      parts.add(gluedPart(t, placeholder));
      boolean qualifierPlaceholder = false;
      while (lx.peek().isPunct('.') && lx.peek(1).isName()) {
        next();
        qualifierPlaceholder |= placeholder[0];
        placeholder[0] = false;
        parts.add(gluedPart(next(), placeholder));
      }
      if (lx.peek().isPunct('*')) {
        next(); // PostgreSQL: table and descendants
      }
      String last = parts.get(parts.size() - 1);
      if (placeholder[0]) {
        if (!last.equalsIgnoreCase(ProdguardObjects.FLYWAY_TABLE_PLACEHOLDER)) {
          unknown(
              "the Flyway placeholder in the name "
                  + String.join(".", parts)
                  + " is replaced before the server reads it: prodguard cannot tell which object"
                  + " this names");
        }
        return String.join(".", parts);
      }
      if (qualifierPlaceholder) {
        return last; // ${schema}.t: t in whichever schema the placeholder names
      }
      return String.join(".", parts);
    }

    /**
     * One part of a name, with the name and placeholder tokens glued to it ({@code t_${x}}, {@code
     * ${x}t}: Flyway joins them into one identifier); {@code placeholder[0]} is set when one of
     * them is a placeholder.
     */
    String gluedPart(Token first, boolean[] placeholder) {
      StringBuilder sb = new StringBuilder(first.identifier());
      placeholder[0] |= first.holdsPlaceholder();
      Token last = first;
      while (true) {
        Token n = lx.peek();
        boolean glued = n.start == last.end && n.type != Token.Type.EOF;
        if (glued && (n.isName() || (last.text().endsWith("$") && n.isPunct('{')))) {
          if (n.isPunct('{')) {
            // PostgreSQL reads "t${x}" as the word "t$" and "{": the placeholder's rest
            while (!lx.atEnd() && !lx.peek().isPunct('}')) {
              sb.append(next().text());
            }
            lx.acceptPunct('}');
            placeholder[0] = true;
            return sb.append('}').toString();
          }
          placeholder[0] |= n.holdsPlaceholder();
          if (placeholder[0] || last.holdsPlaceholder()) {
            sb.append(next().identifier());
            last = n;
            continue;
          }
        }
        return sb.toString();
      }
    }

    /** An alias after a table name ({@code [AS] o}), consumed; null when none follows. */
    String alias() {
      Token t = lx.peek();
      if (t.is("AS")) {
        next();
        return lx.peek().isName() ? next().identifier() : null;
      }
      if (t.type == Token.Type.QUOTED_IDENT
          || (t.type == Token.Type.WORD
              && !names.keyword(t.text().toLowerCase(Locale.ROOT))
              && !ALIAS_STOPS.contains(t.upper()))) {
        return next().identifier();
      }
      return null;
    }

    /** The last part of a name such as {@code t.col}. */
    String columnName() {
      String n = name();
      if (n == null) {
        return null;
      }
      int dot = n.lastIndexOf('.');
      return dot < 0 ? n : n.substring(dot + 1);
    }

    void ifExists() {
      if (lx.peek().is("IF")) {
        next();
        lx.accept("NOT");
        lx.accept("EXISTS");
      }
    }

    /** Skips to the next depth-0 comma (consumed) or the end; returns true at a comma. */
    boolean skipToComma() {
      int depth = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.isPunct(',')) {
          next();
          return true;
        }
        next();
      }
    }

    /** Consumes up to and including the depth-0 word; false when it never comes. */
    boolean skipPast(String word) {
      int depth = 0;
      while (true) {
        Token t = next();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is(word)) {
          return true;
        }
      }
    }

    /**
     * Scans the rest of the statement for a depth-0 WHERE; a WHERE that holds for every row ({@code
     * WHERE true}, {@code WHERE 1 = 1}, {@code WHERE x = x OR ...}) does not count.
     */
    boolean hasWhere(String target, String alias, boolean others) {
      return hasWhere(target, alias, others, null);
    }

    /** {@code qualifiers}, when given, name the targets instead of {@code target} and alias. */
    boolean hasWhere(String target, String alias, boolean others, Set<String> qualifiers) {
      int depth = 0;
      // PostgreSQL's UPDATE ... FROM and DELETE ... USING: the joined relations (issue 15)
      List<Token> joined = null;
      while (true) {
        Token t = next();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (joined != null && !(depth == 0 && t.is("WHERE"))) {
          joined.add(t);
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0
            && (t.is("USING") || t.is("FROM") || t.is("JOIN") || t.isPunct(','))) {
          others = true; // another table in scope: an unqualified name may be its column
          if (joined == null
              && (t.is("USING") || t.is("FROM"))
              && target != null
              && qualifiers == null
              && syntax != SqlSyntax.MYSQL) {
            joined = new ArrayList<>();
            continue;
          }
        } else if (depth == 0 && t.is("WHERE")) {
          Set<String> relations = joined == null ? Set.of() : JoinRestriction.relations(joined);
          if (!relations.isEmpty()) {
            boolean limits =
                JoinRestriction.limits(
                    conditionTokens(),
                    joined,
                    Predicate.Target.of(target, alias, false).qualifiers(),
                    relations,
                    syntax);
            scanRest();
            return limits;
          }
          Predicate.Target of =
              qualifiers != null
                  ? Predicate.Target.of(qualifiers)
                  : Predicate.Target.of(target, alias, !others);
          Predicate.Names names = new Predicate.Names(target, routines, scope);
          names.ctes = ctes;
          // PL/pgSQL's variable_conflict may read a name either way: both readings are judged
          boolean eitherWay =
              scope != null
                  && scope.rule != Predicate.Scope.Rule.VARIABLE
                  && !scope.variables.isEmpty();
          List<Token> condition = eitherWay ? conditionTokens() : null;
          boolean always = Predicate.alwaysTrue(this, WHERE_STOPS, syntax, of, names);
          String reason = names.reason;
          if (!always && eitherWay && names.ambiguous) {
            Predicate.Names second = new Predicate.Names(target, routines, scope);
            second.ctes = ctes;
            always =
                Predicate.alwaysTrue(
                    Predicate.tokens(condition), WHERE_STOPS, syntax, of, second, true);
            reason = second.reason;
          }
          whereReason = always ? reason : null;
          scanRest(); // RETURNING, ORDER BY, LIMIT: calls there run too
          return !always;
        }
      }
    }

    /** The next condition's tokens, not consumed: up to a depth-0 stop, ';', or the end. */
    List<Token> conditionTokens() {
      return tokensBefore(
          t ->
              t.isPunct(';')
                  || t.isPunct(')')
                  || t.type == Token.Type.WORD && WHERE_STOPS.contains(t.upper()));
    }

    /** The next tokens, not consumed, up to the end or a depth-0 token {@code stop} accepts. */
    List<Token> tokensBefore(java.util.function.Predicate<Token> stop) {
      List<Token> out = new ArrayList<>();
      int depth = 0;
      for (int k = 0; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF || depth == 0 && stop.test(t)) {
          return out;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
        out.add(t);
      }
    }

    // ---- DML ---------------------------------------------------------------------------

    void insert() {
      boolean replace = next().is("REPLACE");
      while (lx.peek().is("LOW_PRIORITY")
          || lx.peek().is("DELAYED")
          || lx.peek().is("HIGH_PRIORITY")
          || lx.peek().is("IGNORE")) {
        next();
      }
      lx.accept("INTO");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      String alias = null;
      if (lx.peek().is("AS") || (lx.peek().isName() && !insertKeyword(lx.peek()))) {
        lx.accept("AS");
        alias = name(); // an alias (PostgreSQL INSERT INTO t AS x)
      }
      List<String> cols = new ArrayList<>();
      if (lx.peek().isPunct('(')
          && lx.peek(1).isName()
          && !lx.peek(1).is("SELECT")
          && !lx.peek(1).is("WITH")
          && !lx.peek(1).is("VALUES")) {
        next();
        while (lx.peek().isName()) {
          cols.add(columnName());
          if (!lx.acceptPunct(',')) {
            break;
          }
        }
        lx.acceptPunct(')');
      }
      add(OpKind.INSERT, target, null, cols, null, null);
      insertSource(target, alias, replace);
    }

    /**
     * The rest of an INSERT or REPLACE, its calls reported. Rows listed in the statement ({@code
     * VALUES}, MariaDB's {@code SET}) can replace or update only the rows with those keys; rows
     * from a query ({@code SELECT ... FROM t}, {@code TABLE t}, {@code WITH}) may be every row of
     * the target: MariaDB's {@code REPLACE} then deletes them all (a DELETE without WHERE), and
     * {@code ON CONFLICT ... DO UPDATE} / {@code ON DUPLICATE KEY UPDATE} updates them all (an
     * UPDATE without WHERE, unless PostgreSQL's {@code DO UPDATE ... WHERE} limits it).
     */
    void insertSource(String target, String alias, boolean replace) {
      scanning = true;
      if (lx.peek().is("OVERRIDING")) {
        next(); // OVERRIDING SYSTEM | USER VALUE
        next();
        lx.accept("VALUE");
      }
      Token source = lx.peek();
      boolean listed =
          source.is("VALUES") || source.is("VALUE") || source.is("SET") || source.is("DEFAULT");
      if (replace) {
        addVia(
            "REPLACE deletes the rows whose keys its new rows repeat",
            OpKind.DELETE,
            target,
            null,
            listed ? EnumSet.of(Flag.HAS_WHERE) : null,
            null);
      }
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (depth <= 0 && t.is("ON") && (lx.peek(1).is("CONFLICT") || lx.peek(1).is("DUPLICATE"))) {
          boolean duplicate = lx.peek(1).is("DUPLICATE");
          if (!upsertUpdate()) {
            continue; // ON CONFLICT ... DO NOTHING
          }
          List<String> set = assignments(UPDATE_STOPS);
          boolean where = !duplicate && hasWhere(target, alias, true);
          addVia(
              duplicate ? "ON DUPLICATE KEY UPDATE" : "ON CONFLICT DO UPDATE",
              OpKind.UPDATE,
              target,
              set,
              listed || where ? EnumSet.of(Flag.HAS_WHERE) : null,
              null);
          continue;
        }
        next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
      }
    }

    /**
     * Consumes {@code ON CONFLICT [target] DO} or {@code ON DUPLICATE KEY}; true (with {@code
     * UPDATE [SET]} consumed) when rows are updated, false for {@code DO NOTHING}.
     */
    boolean upsertUpdate() {
      next(); // ON
      if (next().is("DUPLICATE")) {
        lx.accept("KEY");
        lx.accept("UPDATE");
        return true;
      }
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("DO")) {
          break;
        }
      }
      if (lx.accept("UPDATE")) {
        lx.accept("SET");
        return true;
      }
      return false;
    }

    boolean insertKeyword(Token t) {
      return switch (t.upper()) {
        case "VALUES",
            "SELECT",
            "WITH",
            "DEFAULT",
            "OVERRIDING",
            "SET",
            "TABLE",
            "PARTITION",
            "ON",
            "RETURNING",
            "VALUE" ->
            true;
        default -> false;
      };
    }

    void update() {
      next();
      while (lx.peek().is("ONLY") || lx.peek().is("LOW_PRIORITY") || lx.peek().is("IGNORE")) {
        next();
      }
      String target = name();
      String alias = alias();
      scanning = true;
      if (target != null
          && syntax == SqlSyntax.MYSQL
          && (lx.peek().isPunct(',') || JOINS.contains(lx.peek().upper()))) {
        multiTableUpdate(target, alias);
        return;
      }
      if (target == null || !skipPast("SET")) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      List<String> cols = assignments(UPDATE_STOPS);
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      whereReason = null;
      if (hasWhere(target, alias, false)) {
        flags.add(Flag.HAS_WHERE);
      }
      add(OpKind.UPDATE, target, null, cols, flags, whereReason);
    }

    /**
     * MariaDB's {@code UPDATE a JOIN b ON ... SET a.x = 1, b.y = 2} and {@code UPDATE a, b SET
     * ...}: each table assigned a column is updated; an unqualified column may be any table's, so
     * it counts for every table of the references.
     */
    void multiTableUpdate(String target, String alias) {
      java.util.Map<String, String> refs = new java.util.LinkedHashMap<>();
      String lower = target.toLowerCase(Locale.ROOT);
      refs.put(lower, lower);
      refs.putIfAbsent(lastPart(lower), lower);
      if (alias != null) {
        refs.put(alias.toLowerCase(Locale.ROOT), lower);
      }
      List<Token> from = referenceTokens(Set.of("SET"));
      refs.putAll(tableReferences(Set.of("SET"), false));
      if (!lx.accept("SET")) {
        unknown("a multi-table UPDATE without SET prodguard can read");
        return;
      }
      java.util.Map<String, List<String>> columns = new java.util.LinkedHashMap<>();
      List<String> unqualified = new ArrayList<>();
      while (true) {
        String full = name();
        if (full == null) {
          break;
        }
        int dot = full.lastIndexOf('.');
        if (dot < 0) {
          unqualified.add(full);
        } else {
          String q = full.substring(0, dot).toLowerCase(Locale.ROOT);
          String table = refs.get(q);
          if (table == null) {
            table = refs.get(lastPart(q));
          }
          if (table == null) {
            unknown(
                "UPDATE of " + full + ", whose table prodguard cannot find among the references");
            table = q;
          }
          columns.computeIfAbsent(table, k -> new ArrayList<>()).add(full.substring(dot + 1));
        }
        if (!skipAssignment(UPDATE_STOPS)) {
          break;
        }
      }
      if (!unqualified.isEmpty()) {
        for (java.util.Map.Entry<String, String> e : refs.entrySet()) {
          if (e.getKey().equals(e.getValue())) {
            columns.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).addAll(unqualified);
          }
        }
      }
      if (lx.peek().is("WHERE")) {
        // each table on its own, as PostgreSQL's UPDATE ... FROM: limited by a condition on its
        // own columns or on a table a join condition ties it to (JoinRestriction)
        next();
        List<Token> where = conditionTokens();
        Set<String> relations = new HashSet<>(JoinRestriction.relations(from));
        relations.add(alias != null ? alias.toLowerCase(Locale.ROOT) : lastPart(lower));
        java.util.Map<String, Boolean> limited = new java.util.HashMap<>();
        for (String table : columns.keySet()) {
          Set<String> own = new HashSet<>();
          for (java.util.Map.Entry<String, String> e : refs.entrySet()) {
            if (e.getValue().equals(table)) {
              own.add(e.getKey());
            }
          }
          Set<String> joined = new HashSet<>(relations);
          joined.removeAll(own);
          limited.put(table, JoinRestriction.limits(where, from, own, joined, syntax));
        }
        scanRest();
        for (java.util.Map.Entry<String, List<String>> e : columns.entrySet()) {
          add(
              OpKind.UPDATE,
              e.getKey(),
              null,
              e.getValue(),
              limited.get(e.getKey()) ? EnumSet.of(Flag.HAS_WHERE) : null,
              null);
        }
        return;
      }
      scanRest();
      for (java.util.Map.Entry<String, List<String>> e : columns.entrySet()) {
        add(OpKind.UPDATE, e.getKey(), null, e.getValue(), null, null);
      }
    }

    /**
     * Reads {@code col = expr, (a, b) = (...), ...} and returns the assigned columns; stops before
     * a depth-0 stop word.
     */
    List<String> assignments(Set<String> stops) {
      List<String> cols = new ArrayList<>();
      while (true) {
        if (lx.acceptPunct('(')) {
          while (lx.peek().isName()) {
            cols.add(columnName());
            if (!lx.acceptPunct(',')) {
              break;
            }
          }
          lx.acceptPunct(')');
        } else {
          String c = columnName();
          if (c == null) {
            break;
          }
          cols.add(c);
        }
        if (!skipAssignment(stops)) {
          break;
        }
      }
      return cols;
    }

    /** Skips {@code = expr}; true when a depth-0 comma follows (another assignment). */
    boolean skipAssignment(Set<String> stops) {
      int depth = 0;
      int cases = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (t.is("CASE")) {
          cases++;
        } else if (t.is("END") && cases > 0) {
          cases--;
        } else if (depth == 0 && cases == 0) {
          if (t.isPunct(',')) {
            next();
            return true;
          }
          if (t.type == Token.Type.WORD && stops.contains(t.upper())) {
            return false;
          }
        }
        next();
      }
    }

    void delete() {
      next();
      while (lx.peek().is("LOW_PRIORITY") || lx.peek().is("QUICK") || lx.peek().is("IGNORE")) {
        next();
      }
      if (syntax == SqlSyntax.MYSQL && lx.peek().is("HISTORY") && lx.peek(1).is("FROM")) {
        deleteHistory();
        return;
      }
      boolean from = lx.accept("FROM");
      lx.accept("ONLY");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      if (syntax == SqlSyntax.MYSQL) {
        List<String> targets = new ArrayList<>();
        targets.add(target);
        skipAllColumns();
        while (lx.acceptPunct(',')) {
          String t = name();
          if (t == null) {
            break;
          }
          targets.add(t);
          skipAllColumns();
        }
        if ((!from && lx.peek().is("FROM")) || (from && lx.peek().is("USING"))) {
          next();
          multiTableDelete(targets);
          return;
        }
      }
      String alias = alias();
      scanning = true;
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      whereReason = null;
      if (hasWhere(target, alias, false)) {
        flags.add(Flag.HAS_WHERE);
      }
      add(OpKind.DELETE, target, null, null, flags, whereReason);
    }

    /**
     * MariaDB's {@code DELETE HISTORY FROM t [BEFORE SYSTEM_TIME x]}: deletes the history rows of a
     * system-versioned table (all of them without BEFORE), which no later statement can bring back:
     * a DELETE of {@code t}.
     */
    void deleteHistory() {
      next(); // HISTORY
      next(); // FROM
      String target = name();
      if (target == null) {
        unknown("DELETE HISTORY without a table name");
        return;
      }
      boolean before = false;
      while (!lx.atEnd()) {
        before |= next().is("BEFORE");
      }
      add(
          OpKind.DELETE,
          target,
          null,
          null,
          before ? EnumSet.of(Flag.HAS_WHERE) : null,
          "DELETE HISTORY deletes the table's history rows"
              + (before ? " before the time given" : ", all of them"));
    }

    /** MariaDB's {@code t.*} in a multi-table DELETE's target list. */
    void skipAllColumns() {
      if (lx.peek().isPunct('.') && lx.peek(1).isPunct('*')) {
        next();
        next();
      }
    }

    /**
     * MariaDB's {@code DELETE t1, t2 FROM refs} and {@code DELETE FROM t1, t2 USING refs}: every
     * target (a table or an alias of the references) is deleted from; a target that cannot be
     * resolved to a table of the references is unknown.
     */
    void multiTableDelete(List<String> targets) {
      scanning = true;
      List<Token> from = referenceTokens();
      java.util.Map<String, String> refs = tableReferences(Set.of(), true);
      List<String> tables = new ArrayList<>();
      List<Set<String>> own = new ArrayList<>();
      Set<String> qualifiers = new HashSet<>();
      for (String t : targets) {
        String table = refs.get(t.toLowerCase(Locale.ROOT));
        if (table == null) {
          table = refs.get(lastPart(t));
        }
        if (table == null) {
          unknown("DELETE target " + t + " is not a table prodguard finds among the references");
          table = t;
        }
        tables.add(table);
        own.add(new HashSet<>(List.of(t.toLowerCase(Locale.ROOT), lastPart(t))));
        qualifiers.add(t.toLowerCase(Locale.ROOT));
        qualifiers.add(lastPart(t));
      }
      Set<String> relations = JoinRestriction.relations(from);
      if (relations.size() > 1 && lx.peek().is("WHERE")) {
        // the references join other tables: a target's rows are limited by a condition on its
        // own columns or on a table a join condition ties it to (DELETE a FROM a JOIN b ON a.id
        // = b.a_id WHERE b.flag = 1), judged for each target on its own (issue 14, dataease)
        next();
        List<Token> where = conditionTokens();
        List<Boolean> limited = new ArrayList<>();
        for (Set<String> target : own) {
          Set<String> joined = new HashSet<>(relations);
          joined.removeAll(target);
          limited.add(JoinRestriction.limits(where, from, target, joined, syntax));
        }
        scanRest();
        for (int i = 0; i < tables.size(); i++) {
          add(
              OpKind.DELETE,
              tables.get(i),
              null,
              null,
              limited.get(i) ? EnumSet.of(Flag.HAS_WHERE) : null,
              null);
        }
        return;
      }
      boolean where = hasWhere(null, null, true, qualifiers);
      for (String table : tables) {
        add(OpKind.DELETE, table, null, null, where ? EnumSet.of(Flag.HAS_WHERE) : null, null);
      }
    }

    /**
     * The tokens of MariaDB table references, not consumed: up to a depth-0 WHERE, ORDER, LIMIT.
     */
    List<Token> referenceTokens() {
      return referenceTokens(Set.of());
    }

    /** The same, stopping also before a depth-0 word of {@code stops}. */
    List<Token> referenceTokens(Set<String> stops) {
      return tokensBefore(
          t ->
              t.isPunct(';')
                  || t.is("WHERE")
                  || t.is("ORDER")
                  || t.is("LIMIT")
                  || t.type == Token.Type.WORD && stops.contains(t.upper()));
    }

    /**
     * MariaDB table references ({@code a AS x JOIN b y ON ... , c}) up to a depth-0 WHERE, ORDER,
     * LIMIT or one of {@code stops}: each alias and each table's name (and last part) to the table,
     * lower-case. A parenthesised group (a subquery, a nested join) names no target.
     */
    java.util.Map<String, String> tableReferences(Set<String> stops, boolean first) {
      java.util.Map<String, String> refs = new java.util.LinkedHashMap<>();
      boolean expect = first;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct(';')
            || t.is("WHERE")
            || t.is("ORDER")
            || t.is("LIMIT")
            || (t.type == Token.Type.WORD && stops.contains(t.upper()))) {
          break;
        }
        if (t.isPunct('(')) {
          skipParens();
          expect = false;
          continue;
        }
        if (expect && t.isName()) {
          String table = name();
          String alias = alias();
          String lower = table.toLowerCase(Locale.ROOT);
          refs.put(lower, lower);
          refs.putIfAbsent(lastPart(lower), lower);
          if (alias != null) {
            refs.put(alias.toLowerCase(Locale.ROOT), lower);
          }
          expect = false;
          continue;
        }
        next();
        expect = t.isPunct(',') || t.is("JOIN") || t.is("STRAIGHT_JOIN");
      }
      return refs;
    }

    /**
     * MERGE: each WHEN clause is an operation of its own on the target. {@code WHEN MATCHED THEN
     * DELETE} deletes every row the ON condition matches, and an UPDATE branch without a further
     * {@code AND} condition updates every one of them: without a condition of their own they count
     * as having no WHERE.
     */
    void merge() {
      next();
      lx.accept("INTO");
      lx.accept("ONLY");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      String alias = alias();
      scanning = true;
      // The join condition is the row filter of every MATCHED branch: ON true (or 1 = 1) matches
      // every row of the target, a real join only the rows the source names.
      boolean onAlwaysTrue = false;
      if (skipToOn()) {
        next();
        onAlwaysTrue =
            Predicate.alwaysTrue(
                this, Set.of("WHEN"), syntax, Predicate.Target.of(target, alias, false));
      }
      if (!skipToWhen()) {
        unknown("MERGE without a WHEN clause prodguard can read");
        return;
      }
      while (lx.peek().is("WHEN")) {
        next();
        boolean not = lx.accept("NOT");
        if (!lx.accept("MATCHED")) {
          unknown("a MERGE WHEN clause prodguard cannot read");
          return;
        }
        String by = null;
        if (lx.accept("BY")) {
          by = next().upper();
        }
        // WHEN MATCHED rows are those the join condition picks; NOT MATCHED BY SOURCE rows are
        // every target row the source lacks, which only an AND condition of its own limits
        boolean condition = !not && !onAlwaysTrue;
        if (lx.peek().is("AND")) {
          next();
          condition |=
              !Predicate.alwaysTrue(
                  this, Set.of("THEN"), syntax, Predicate.Target.of(target, alias, false));
        }
        if (!lx.accept("THEN")) {
          unknown("a MERGE WHEN clause prodguard cannot read");
          return;
        }
        String clause =
            "MERGE WHEN "
                + (not ? "NOT " : "")
                + "MATCHED"
                + (by != null ? " BY " + by : "")
                + (condition ? " AND ..." : "")
                + " THEN ";
        Set<Flag> where = condition ? EnumSet.of(Flag.HAS_WHERE) : null;
        Token action = lx.next();
        switch (action.upper()) {
          case "DELETE" -> addVia(clause + "DELETE", OpKind.DELETE, target, null, where, null);
          case "UPDATE" -> {
            if (!lx.accept("SET")) {
              unknown("MERGE UPDATE without SET");
              return;
            }
            List<String> cols = assignments(Set.of("WHEN", "RETURNING"));
            addVia(clause + "UPDATE", OpKind.UPDATE, target, cols, where, null);
          }
          case "INSERT" -> {
            List<String> cols = new ArrayList<>();
            if (lx.peek().isPunct('(') && lx.peek(1).isName()) {
              next();
              while (lx.peek().isName()) {
                cols.add(columnName());
                if (!lx.acceptPunct(',')) {
                  break;
                }
              }
            }
            addVia(clause + "INSERT", OpKind.INSERT, target, cols, null, null);
          }
          case "DO" -> {
            if (!lx.accept("NOTHING")) {
              unknown("a MERGE action prodguard cannot read");
              return;
            }
          }
          default -> {
            unknown("a MERGE action prodguard cannot read: " + action.text());
            return;
          }
        }
        skipToWhen();
      }
      if (!lx.atEnd() && !lx.peek().isPunct(';')) {
        scanRest(); // RETURNING
      }
    }

    /** Consumes up to the next depth-0 WHEN that is not inside a CASE; false at the end. */
    /** Skips to the {@code ON} of a MERGE at depth 0; false when a WHEN or the end comes first. */
    boolean skipToOn() {
      int depth = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF || (depth == 0 && t.is("WHEN"))) {
          return false;
        }
        if (depth == 0 && t.is("ON")) {
          return true;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
        next();
      }
    }

    boolean skipToWhen() {
      int depth = 0;
      int cases = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (depth == 0 && cases == 0 && (t.is("WHEN") || t.is("RETURNING"))) {
          return t.is("WHEN");
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (t.is("CASE")) {
          cases++;
        } else if (t.is("END") && cases > 0) {
          cases--;
        }
        next();
      }
    }

    void truncate() {
      next();
      lx.accept("TABLE");
      List<String> tables = new ArrayList<>();
      do {
        lx.accept("ONLY");
        String n = name();
        if (n == null) {
          break;
        }
        tables.add(n);
      } while (lx.acceptPunct(','));
      if (tables.isEmpty()) {
        unknown("TRUNCATE without a table name");
        return;
      }
      boolean cascade = false;
      while (!lx.atEnd()) {
        if (next().is("CASCADE")) {
          cascade = true;
        }
      }
      for (String t : tables) {
        add(OpKind.TRUNCATE, t, null, null, cascade ? EnumSet.of(Flag.CASCADE) : null, null);
      }
    }

    /**
     * COPY: {@code COPY (query)} runs the query (which may be {@code DELETE ... RETURNING}); {@code
     * FROM/TO STDIN/STDOUT} moves rows through the client; a server-side file or {@code PROGRAM} (a
     * shell command run by the database server) is beyond what prodguard can judge.
     */
    void copy() {
      next();
      if (lx.peek().isPunct('(')) {
        Token open = lx.peek();
        Token close = skipParens();
        add(OpKind.SELECT, null);
        sub(open.end, close.type == Token.Type.EOF ? s.end() : close.start);
        if (!lx.accept("TO")) {
          unknown("COPY (query) without TO");
          return;
        }
        copyEnd("TO");
        return;
      }
      String target = name();
      if (target == null) {
        unknown("COPY without a table name");
        return;
      }
      if (lx.peek().isPunct('(')) {
        skipParens();
      }
      Token direction = next();
      if (!direction.is("FROM") && !direction.is("TO")) {
        unknown("COPY without FROM or TO");
        return;
      }
      if (copyEnd(direction.upper())) {
        add(direction.is("FROM") ? OpKind.COPY_IN : OpKind.SELECT, target);
      }
    }

    /** After COPY ... FROM/TO: true for STDIN/STDOUT, else an unknown operation. */
    boolean copyEnd(String direction) {
      Token where = lx.peek();
      if (where.is("STDIN") || where.is("STDOUT")) {
        return true;
      }
      unknown(
          where.is("PROGRAM")
              ? "COPY " + direction + " PROGRAM runs a shell command on the database server"
              : "COPY " + direction + " a file on the database server");
      return false;
    }

    /** MySQL LOAD DATA/XML: only a client-side (LOCAL) file is judged; PostgreSQL LOAD 'lib'. */
    void load() {
      next();
      Token kind = lx.peek();
      if (kind.is("INDEX")) {
        add(OpKind.MAINTENANCE, null);
        return;
      }
      if (!kind.is("DATA") && !kind.is("XML")) {
        unknown(
            kind.type == Token.Type.STRING
                ? "LOAD loads a shared library into the database server"
                : "LOAD of an unrecognised kind");
        return;
      }
      boolean local = false;
      while (!lx.atEnd() && !lx.peek().is("INFILE")) {
        if (next().is("LOCAL")) {
          local = true;
        }
      }
      if (!local) {
        unknown("LOAD " + kind.upper() + " INFILE reads a file on the database server");
        return;
      }
      if (!skipPast("INTO")) {
        unknown("LOAD without INTO");
        return;
      }
      lx.accept("TABLE");
      add(OpKind.COPY_IN, name());
      unknown(
          "LOAD "
              + kind.upper()
              + " LOCAL INFILE reads a file on the machine that runs the migration: prodguard"
              + " cannot see the rows it loads, nor whether it REPLACEs existing ones");
    }

    /**
     * SELECT, VALUES, TABLE: reads nothing but what its calls do; {@code INTO OUTFILE} (MySQL)
     * writes a server-side file, PostgreSQL's top-level {@code SELECT ... INTO t} creates a table.
     */
    void select() {
      add(OpKind.SELECT, null);
      scanning = true;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("INTO")) {
          Token n = lx.peek();
          if (n.is("OUTFILE") || n.is("DUMPFILE")) {
            unknown("SELECT INTO " + n.upper() + " writes a file on the database server");
          } else if (syntax == SqlSyntax.POSTGRESQL && !inBody) {
            boolean temporary = false;
            while (lx.peek().is("TEMPORARY")
                || lx.peek().is("TEMP")
                || lx.peek().is("LOCAL")
                || lx.peek().is("GLOBAL")
                || lx.peek().is("UNLOGGED")
                || lx.peek().is("TABLE")) {
              Token m = next();
              temporary |= m.is("TEMPORARY") || m.is("TEMP");
            }
            String table = name();
            if (table != null) {
              add(
                  OpKind.CREATE_TABLE,
                  table,
                  null,
                  null,
                  temporary || table.startsWith("pg_temp") ? EnumSet.of(Flag.TEMPORARY) : null,
                  null);
            }
          }
        }
      }
    }

    /** Consumes a parenthesised group; returns its closing token (EOF when unbalanced). */
    Token skipParens() {
      int depth = 0;
      Token t;
      do {
        t = next();
        if (t.type == Token.Type.EOF) {
          return t;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
      } while (depth > 0);
      return t;
    }

    /** WITH: data-modifying CTE bodies are classified, then the main statement. */
    void with() {
      next();
      lx.accept("RECURSIVE");
      java.util.Map<String, Predicate.Cte> named = new java.util.HashMap<>(ctes);
      while (true) {
        String cte = name();
        if (cte == null) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        List<String> columns = null;
        if (lx.peek().isPunct('(')) {
          columns = new ArrayList<>();
          Token listOpen = lx.peek();
          Token listClose = skipParens(); // column list
          Lexer list =
              new Lexer(
                  s.source().text(),
                  listOpen.end,
                  listClose.type == Token.Type.EOF ? listOpen.end : listClose.start,
                  syntax);
          while (!list.atEnd()) {
            Token t = list.next();
            if (t.isName()) {
              columns.add(t.identifier().toLowerCase(Locale.ROOT));
            }
          }
        }
        if (!lx.accept("AS")) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        lx.accept("NOT");
        lx.accept("MATERIALIZED");
        Token open = lx.peek();
        if (!open.isPunct('(')) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        Token close = skipParens();
        sub(open.end, close.start);
        List<Token> body = new ArrayList<>();
        Lexer b =
            new Lexer(
                s.source().text(),
                open.end,
                close.type == Token.Type.EOF ? open.end : close.start,
                syntax);
        while (!b.atEnd()) {
          body.add(b.next());
        }
        named.put(lastPart(cte), new Predicate.Cte(columns, body));
        if (!lx.acceptPunct(',')) {
          break;
        }
      }
      Token main = lx.peek();
      if (main.type == Token.Type.EOF) {
        unknown("WITH without a main statement");
        return;
      }
      java.util.Map<String, Predicate.Cte> saved = ctes;
      ctes = named;
      sub(main.start, s.end());
      ctes = saved;
    }

    /** Classifies a part of this statement as a statement of its own. */
    void sub(int start, int end) {
      if (nesting >= MAX_NESTING) {
        unknown("nested too deeply to analyse");
        return;
      }
      SourceFile src = s.source();
      int st = start;
      while (st < end && Character.isWhitespace(src.text().charAt(st))) {
        st++;
      }
      SqlStatement inner = new SqlStatement(src, st, end, src.line(st), src.column(st), null);
      Ctx c = new Ctx(inner, out, routines, inBody, deferred, nesting + 1, via);
      c.scope = scope;
      c.ctes = ctes;
      c.marks = marks;
      c.top();
    }

    // ---- DDL ---------------------------------------------------------------------------

    void create() {
      next();
      boolean orReplace = lx.accept("OR", "REPLACE");
      int modifiersFrom = lx.peek().start;
      if (lx.peek().is("DEFINER")) {
        // MySQL: DEFINER = user@host before the object kind
        while (!lx.atEnd()
            && !(lx.peek().is("PROCEDURE")
                || lx.peek().is("FUNCTION")
                || lx.peek().is("TRIGGER")
                || lx.peek().is("EVENT")
                || lx.peek().is("VIEW"))) {
          next();
        }
      }
      modifiers();
      if (lx.peek().is("AGGREGATE") && lx.peek(1).is("FUNCTION")) {
        next(); // MySQL CREATE AGGREGATE FUNCTION
      }
      Token kind = next();
      if (serverWide("CREATE", kind)) {
        return;
      }
      if (!names.createKind(kind.upper())) {
        unknown(
            kind.type == Token.Type.EOF
                ? "CREATE of an unrecognised kind"
                : "CREATE " + kind.text() + ": an object type prodguard does not know");
        return;
      }
      switch (kind.upper()) {
        case "TABLE" -> {
          // IF NOT EXISTS may leave an existing table (with its data) in place
          boolean conditional = lx.peek().is("IF");
          ifExists();
          String table = name();
          boolean temporary =
              s.source()
                  .text()
                  .substring(modifiersFrom, kind.start)
                  .toUpperCase(Locale.ROOT)
                  .contains("TEMP");
          if (orReplace && !temporary) {
            // MariaDB: CREATE OR REPLACE TABLE drops the existing table, rows and all
            add(
                OpKind.DROP_TABLE,
                table,
                null,
                null,
                null,
                "CREATE OR REPLACE TABLE drops the existing table");
          }
          Set<Flag> flags = EnumSet.noneOf(Flag.class);
          if (conditional) {
            flags.add(Flag.IF_EXISTS);
          }
          if (temporary || (table != null && table.startsWith("pg_temp"))) {
            flags.add(Flag.TEMPORARY);
          }
          add(OpKind.CREATE_TABLE, table, null, null, flags, null);
          // IF NOT EXISTS may keep an older table: its columns unknown, its NOT NULL facts kept
          recordColumns(table, conditional);
          createTableStructure(table);
          createTableQuery();
        }
        case "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX" -> createIndex();
        case "SEQUENCE" -> {
          boolean temporary =
              s.source()
                  .text()
                  .substring(modifiersFrom, kind.start)
                  .toUpperCase(Locale.ROOT)
                  .contains("TEMP");
          if (syntax == SqlSyntax.MYSQL && orReplace && !temporary) {
            // MariaDB: a sequence is a table; CREATE OR REPLACE SEQUENCE drops whatever table of
            // that name exists, rows and all (or the sequence, its current value with it)
            ifExists();
            String sequence = lx.peek().isName() ? name() : null;
            if (sequence == null) {
              unknown("CREATE OR REPLACE SEQUENCE without a name");
              return;
            }
            add(
                OpKind.DROP_TABLE,
                sequence,
                null,
                null,
                null,
                "CREATE OR REPLACE SEQUENCE drops the existing table (or sequence)");
            add(OpKind.CREATE_OTHER, sequence, null, null, null, "SEQUENCE");
          } else {
            createOther(kind.upper());
          }
        }
        case "VIEW", "RECURSIVE" -> {
          lx.accept("VIEW");
          ifExists();
          String view = name();
          add(OpKind.CREATE_VIEW, view); // its query runs when the view is read, not now
          if (view != null && !deferred) {
            routines.defineViewCalls(view, false, viewQueryCalls());
            routines.defineView(view, viewBases());
          }
        }
        case "MATERIALIZED" -> {
          lx.accept("VIEW");
          ifExists();
          String view = name();
          add(OpKind.CREATE_VIEW, view);
          if (view != null && !deferred) {
            routines.defineViewCalls(view, true, viewQueryCalls()); // run again by REFRESH
          }
          createTableQuery(); // populated now: its query runs
        }
        case "FUNCTION", "PROCEDURE" -> routine(kind.upper());
        case "TRIGGER", "CONSTRAINT" -> trigger();
        case "EVENT" -> {
          if (syntax == SqlSyntax.POSTGRESQL) {
            createOther("EVENT");
          } else {
            event();
          }
        }
        case "RULE" -> rule();
        case "SCHEMA", "DATABASE" -> {
          ifExists();
          add(OpKind.CREATE_SCHEMA, name());
        }
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.GRANT, null, null, null, null, "CREATE " + kind.upper());
        case "POLICY" -> policy("CREATE");
        default -> createOther(kind.upper());
      }
    }

    /**
     * CREATE or ALTER of an object with server- or database-wide effects: the database itself, the
     * server's configuration, replication, foreign servers; a schema's rename or new owner (every
     * table in it moves, protected ones included). Unknown: prodguard cannot judge them.
     */
    boolean serverWide(String verb, Token kind) {
      String k = kind.upper();
      boolean refused;
      if (syntax == SqlSyntax.POSTGRESQL) {
        refused =
            switch (k) {
              case "SYSTEM", "PUBLICATION", "SUBSCRIPTION", "SERVER", "FOREIGN", "TABLESPACE" ->
                  true;
              case "DATABASE" -> verb.equals("ALTER");
              case "USER", "ROLE" -> lx.peek().is("MAPPING") || setsParameter();
              case "EXTENSION" -> verb.equals("CREATE") && untrustedExtension();
              case "SCHEMA" ->
                  verb.equals("ALTER") && (lx.peek(1).is("RENAME") || lx.peek(1).is("OWNER"));
              default -> false;
            };
      } else {
        refused =
            switch (k) {
              case "DATABASE", "SERVER" -> true;
              case "SCHEMA" -> true;
              default -> false;
            };
      }
      if (refused) {
        unknown(verb + " " + kind.text() + " changes the server or the whole database");
      }
      return refused;
    }

    /**
     * Whether {@code CREATE EXTENSION [IF NOT EXISTS] name} installs an extension that reaches
     * outside the database (files, other servers, untrusted languages) or is not a name.
     */
    boolean untrustedExtension() {
      int k = 0;
      if (lx.peek(k).is("IF")) {
        k += 3;
      }
      Token n = lx.peek(k);
      return !n.isName() || UNTRUSTED_EXTENSIONS.contains(n.identifier().toLowerCase(Locale.ROOT));
    }

    /** Whether the rest of the statement has SET or RESET of a parameter (ALTER ROLE r SET x). */
    boolean setsParameter() {
      for (int k = 0; lx.peek(k).type != Token.Type.EOF; k++) {
        if (lx.peek(k).is("SET") || lx.peek(k).is("RESET")) {
          return true;
        }
      }
      return false;
    }

    /**
     * {@code CREATE/ALTER/DROP POLICY p ON t}: a row-level security policy decides which rows of
     * {@code t} the application sees and may change; {@code t} is altered.
     */
    void policy(String verb) {
      ifExists();
      String policy = name();
      String table = lx.accept("ON") ? name() : null;
      if (table == null) {
        unknown(verb + " POLICY without ON table");
        return;
      }
      add(
          OpKind.ALTER_TABLE_OTHER,
          table,
          null,
          null,
          cascadeAtEnd() ? EnumSet.of(Flag.CASCADE) : null,
          verb + " POLICY " + policy);
    }

    /** Consumes the rest of the statement; true when a depth-0 CASCADE is in it. */
    boolean cascadeAtEnd() {
      boolean cascade = false;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("CASCADE")) {
          cascade = true;
        }
      }
      return cascade;
    }

    /**
     * The relations a view's query reads: every name after FROM, JOIN or a comma of a FROM list, at
     * any depth (more than the base table, never less); null when a FROM item is something else
     * than a name or a subquery (a function, a placeholder). Read ahead, nothing consumed.
     */
    /**
     * The calls of a view's query (from the cursor, before its {@code AS}), classified as a
     * deferred body: what a later read of the view runs ({@link #viewRead}).
     */
    List<Operation> viewQueryCalls() {
      Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
      while (!ahead.atEnd() && !ahead.peek().is("AS")) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          skipGroup(ahead);
        }
      }
      if (!ahead.accept("AS") || ahead.atEnd() || nesting >= MAX_NESTING) {
        return List.of();
      }
      int st = ahead.peek().start;
      SourceFile src = s.source();
      SqlStatement query = new SqlStatement(src, st, s.end(), src.line(st), src.column(st), null);
      List<Operation> ops = new ArrayList<>();
      Ctx q = new Ctx(query, ops, routines, inBody, true, nesting + 1, via);
      q.marks = marks;
      q.top();
      List<Operation> calls = new ArrayList<>();
      for (Operation op : ops) {
        if (op.kind() == OpKind.FUNCTION_CALL
            || op.kind() == OpKind.CALL
            || op.kind() == OpKind.DYNAMIC_SQL) {
          calls.add(op);
        }
      }
      return calls;
    }

    /**
     * A name read where a relation may stand: when it is a view the migrations define whose query
     * calls routines, reading it runs them (for a materialized view, only {@code REFRESH} does).
     */
    void viewRead(String view, boolean refresh) {
      if (routines.evaluatesOnRead(view, refresh)) {
        // the target's view (policy) evaluates user code: judged by the catalog's record of it
        add(OpKind.SELECT, view, null, null, null, refresh ? "REFRESH" : null);
      }
      Routines.ViewCalls vc = routines.viewCalls(view);
      if (vc == null || vc.materialized() != refresh) {
        return;
      }
      String where = (refresh ? "refreshing view " : "reading view ") + view;
      for (Operation op : vc.calls()) {
        String saved = via;
        via = via == null ? where : where + ", " + via;
        if (op.kind() == OpKind.FUNCTION_CALL
            && op.target() != null
            && routines.knows(op.target())) {
          callKnown(op.target());
        } else {
          Set<Flag> f = EnumSet.noneOf(Flag.class);
          f.addAll(op.flags());
          f.remove(Flag.DEFERRED);
          f.remove(Flag.IN_BODY);
          if (op.kind() == OpKind.FUNCTION_CALL && op.target() != null) {
            f.add(Flag.OPAQUE); // a routine since dropped: its body is unknown
          }
          add(op.kind(), op.target(), op.column(), op.columns(), f, op.detail());
        }
        via = saved;
      }
    }

    List<String> viewBases() {
      Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
      while (!ahead.atEnd() && !ahead.peek().is("AS")) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          skipGroup(ahead);
        }
      }
      List<String> bases = new ArrayList<>();
      // per depth: whether a FROM list is being read there
      java.util.ArrayDeque<Boolean> inFrom = new java.util.ArrayDeque<>();
      inFrom.push(false);
      boolean expectItem = false;
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        boolean item = expectItem;
        if (expectItem) {
          expectItem = false;
          if (t.is("LATERAL") || t.is("ONLY")) {
            expectItem = true;
            continue;
          }
          if (t.isName() && !ahead.peek().isPunct('(') && !t.holdsPlaceholder()) {
            StringBuilder n = new StringBuilder(t.identifier());
            while (ahead.peek().isPunct('.') && ahead.peek(1).isName()) {
              ahead.next();
              Token part = ahead.next();
              if (part.holdsPlaceholder()) {
                return null;
              }
              n.append('.').append(part.identifier());
            }
            if (ahead.peek().isPunct('(')) {
              return null; // schema.f(): a function's rows
            }
            bases.add(n.toString());
            continue;
          }
          if (!t.isPunct('(')) {
            return null; // f(), a placeholder, VALUES ...: not a relation prodguard can name
          }
        }
        if (t.isPunct('(')) {
          Token n = ahead.peek();
          boolean nestedJoin =
              item && !(n.is("SELECT") || n.is("WITH") || n.is("VALUES") || n.is("TABLE"));
          inFrom.push(nestedJoin); // FROM (a JOIN b): a is an item too
          expectItem = nestedJoin;
        } else if (t.isPunct(')')) {
          if (inFrom.size() > 1) {
            inFrom.pop();
          }
        } else if (t.is("FROM") || t.is("JOIN") || t.is("STRAIGHT_JOIN")) {
          inFrom.pop();
          inFrom.push(true);
          expectItem = true;
        } else if (t.isPunct(',') && inFrom.peek()) {
          expectItem = true;
        } else if (t.is("WHERE")
            || t.is("GROUP")
            || t.is("HAVING")
            || t.is("WINDOW")
            || t.is("ORDER")
            || t.is("LIMIT")
            || t.is("UNION")
            || t.is("INTERSECT")
            || t.is("EXCEPT")
            || t.is("ON")
            || t.is("USING")) {
          if (!(t.is("ON") || t.is("USING"))) {
            inFrom.pop();
            inFrom.push(false);
          }
        } else if (t.is("TABLE") && !ahead.atEnd() && bases.isEmpty() && ahead.peek().isName()) {
          expectItem = true; // AS TABLE t
        }
      }
      return bases;
    }

    /** Skips to the parenthesis closing one just read. */
    void skipGroup(Lexer ahead) {
      int depth = 1;
      while (depth > 0 && !ahead.atEnd()) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
      }
    }

    /** MySQL's DEFINER, ALGORITHM and SQL SECURITY, and the TEMP/UNLOGGED kinds of tables. */
    void modifiers() {
      while (true) {
        Token t = lx.peek();
        if (t.is("GLOBAL")
            || t.is("LOCAL")
            || t.is("TEMP")
            || t.is("TEMPORARY")
            || t.is("UNLOGGED")
            || t.is("ONLINE")
            || t.is("OFFLINE")
            || t.is("INVOKER")) {
          next();
        } else if ((t.is("ALGORITHM") || t.is("DEFINER")) && lx.peek(1).isPunct('=')) {
          next();
          next();
          next(); // the value (MERGE, TEMPTABLE, UNDEFINED, a user, CURRENT_USER)
          if (lx.peek().isPunct('(')) {
            skipParens(); // CURRENT_USER()
          }
          while (lx.peek().isPunct('@')) {
            next();
            next(); // user@host, the host a name or a string
          }
        } else if (t.is("SQL") && lx.peek(1).is("SECURITY")) {
          next();
          next();
          next(); // DEFINER | INVOKER
        } else {
          return;
        }
      }
    }

    /** An object of another kind: the name after the kind's words, for the record. */
    void createOther(String kind) {
      String words = kindWords(kind);
      ifExists();
      add(OpKind.CREATE_OTHER, lx.peek().isName() ? name() : null, null, null, null, words);
    }

    /** The kind's first word and the further words of a multi-word kind, consumed. */
    String kindWords(String first) {
      StringBuilder words = new StringBuilder(first);
      while (kindWord(lx.peek())) {
        String w = next().upper();
        if (!words.toString().endsWith(w)) {
          words.append(' ').append(w);
        }
      }
      return words.toString();
    }

    /** Second words of multi-word object kinds (EVENT TRIGGER, FOREIGN DATA WRAPPER, ...). */
    boolean kindWord(Token t) {
      return switch (t.upper()) {
        case "TRIGGER",
            "TABLE",
            "VIEW",
            "DATA",
            "WRAPPER",
            "SEARCH",
            "CONFIGURATION",
            "DICTIONARY",
            "PARSER",
            "TEMPLATE",
            "CLASS",
            "FAMILY",
            "METHOD",
            "OBJECT",
            "MAPPING",
            "LANGUAGE",
            "CONVERSION",
            "PROCEDURAL",
            "GROUP",
            "BODY" ->
            true;
        default -> false;
      };
    }

    /**
     * CREATE TABLE ... AS query, CREATE MATERIALIZED VIEW ... AS query, MySQL's CREATE TABLE ...
     * SELECT: the query runs now and is classified as a statement of its own.
     */
    void createTableQuery() {
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0) {
          if (t.is("AS") && !lx.peek(1).is("IDENTITY")) {
            next();
            if (!lx.atEnd()) {
              sub(lx.peek().start, s.end());
            }
            return;
          }
          if (syntax == SqlSyntax.MYSQL
              && (t.is("SELECT") || t.is("WITH") || t.is("VALUES") || t.is("TABLE"))) {
            sub(t.start, s.end());
            return;
          }
        }
        next();
      }
    }

    /**
     * PostgreSQL {@code CREATE TABLE x PARTITION OF t} and {@code INHERITS (t, ...)}: rows of the
     * new table become rows of {@code t} (its reads, DELETEs and UPDATEs reach them); {@code t} is
     * altered. Read ahead, nothing consumed.
     */
    void createTableStructure(String table) {
      if (syntax != SqlSyntax.POSTGRESQL) {
        return;
      }
      evaluatedOnWrite("a CHECK, DEFAULT or generated column", table, lx.peek().start, s.end());
      Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
      int depth = 0;
      while (!ahead.atEnd()) {
        Token t = ahead.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("PARTITION") && ahead.peek().is("OF")) {
          ahead.next();
          String parent = nameFrom(ahead);
          add(OpKind.ALTER_TABLE_OTHER, parent, null, null, null, "PARTITION OF: " + table);
        } else if (depth == 0 && t.is("INHERITS") && ahead.peek().isPunct('(')) {
          ahead.next();
          do {
            String parent = nameFrom(ahead);
            if (parent == null) {
              break;
            }
            add(OpKind.ALTER_TABLE_OTHER, parent, null, null, null, "INHERITS: " + table);
          } while (ahead.acceptPunct(','));
          return;
        }
      }
    }

    /**
     * G4: what PostgreSQL evaluates by itself on every INSERT and UPDATE of {@code table} (a CHECK,
     * a DEFAULT, a generated column written in [from, to)) calls the routines there: recorded as a
     * trigger of the table ({@link Routines#defineEvaluated}), so that a write of it is judged by
     * what they run. Only routines the migrations define are seen here (verify reads the others'
     * uses from the catalog once the table exists).
     */
    void evaluatedOnWrite(String what, String table, int from, int to) {
      if (deferred || inBody || table == null || syntax != SqlSyntax.POSTGRESQL) {
        return;
      }
      List<Operation> body = new ArrayList<>();
      for (String fn : callsIn(from, to)) {
        body.add(
            new Operation(
                OpKind.FUNCTION_CALL, s, fn, null, List.of(), EnumSet.of(Flag.DEFERRED), null));
      }
      routines.defineEvaluated(what, table, body);
    }

    /** A plain (possibly qualified) name read from another lexer; null when none is next. */
    String nameFrom(Lexer ahead) {
      if (!ahead.peek().isName()) {
        return null;
      }
      StringBuilder sb = new StringBuilder(ahead.next().identifier());
      while (ahead.peek().isPunct('.') && ahead.peek(1).isName()) {
        ahead.next();
        sb.append('.').append(ahead.next().identifier());
      }
      return sb.toString();
    }

    void createIndex() {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      int depth = 0;
      while (true) {
        Token t = next();
        if (t.type == Token.Type.EOF) {
          unknown("CREATE INDEX without ON table");
          return;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("CONCURRENTLY")) {
          flags.add(Flag.CONCURRENTLY);
        } else if (depth == 0 && t.is("ON")) {
          break;
        }
      }
      lx.accept("ONLY");
      add(OpKind.CREATE_INDEX, name(), null, null, flags, null);
    }

    /**
     * CREATE FUNCTION/PROCEDURE: the body is classified (its operations run when the routine is
     * called: {@link Flag#DEFERRED}) and remembered in {@link Routines} for the calls that follow.
     */
    void routine(String kind) {
      ifExists(); // MariaDB: CREATE PROCEDURE IF NOT EXISTS
      String fn = name();
      String signature = "";
      int signatureFrom = -1;
      int signatureTo = -1;
      if (lx.peek().isPunct('(')) {
        int from = lx.peek().end;
        Token close = skipParens();
        signatureFrom = from;
        signatureTo = close.type == Token.Type.EOF ? from : close.start;
        signature = s.source().text().substring(from, signatureTo).strip();
        signature = collapseSpaces(signature).toLowerCase(Locale.ROOT);
      }
      add(OpKind.CREATE_FUNCTION, fn, null, null, null, kind);
      scope =
          new Predicate.Scope(
              syntax == SqlSyntax.MYSQL
                  ? Predicate.Scope.Rule.VARIABLE
                  : Predicate.Scope.Rule.EITHER,
              fn);
      scope.variables.addAll(parameters(signature));
      int before = out.size();
      if (fn != null && !routines.knows(fn)) {
        // a recursive call in the body calls this very routine: known, its body is the one being
        // read (issue 15); the full body replaces this entry below
        routines.define(fn, signature, kind.equals("PROCEDURE"), List.of());
      }
      if (syntax == SqlSyntax.POSTGRESQL) {
        pgRoutineBody();
        parameterDefaults(signatureFrom, signatureTo);
      } else {
        mysqlRoutineBody();
      }
      if (fn != null) {
        routines.define(
            fn, signature, kind.equals("PROCEDURE"), List.copyOf(out.subList(before, out.size())));
      }
    }

    /**
     * PostgreSQL: a parameter's default ({@code x int DEFAULT f()}, {@code x int = f()}) is
     * evaluated at every call that leaves the argument out, so its calls are part of the body (G4,
     * attacker 26/01): classified, each expression in [from, to) of the signature, as a deferred
     * body's. Whether a call leaves it out is not judged (more, never less).
     */
    void parameterDefaults(int from, int to) {
      if (from < 0 || to <= from || nesting >= MAX_NESTING) {
        return;
      }
      Lexer ahead = new Lexer(s.source().text(), from, to, syntax);
      int depth = 0;
      int start = -1;
      while (true) {
        Token t = ahead.next();
        boolean end = t.type == Token.Type.EOF || (depth == 0 && t.isPunct(','));
        if (end) {
          int stop = t.type == Token.Type.EOF ? to : t.start;
          if (start >= 0 && start < stop) {
            SourceFile src = s.source();
            SqlStatement expr =
                new SqlStatement(src, start, stop, src.line(start), src.column(start), null);
            Ctx c = new Ctx(expr, out, routines, true, true, nesting + 1, via);
            c.scope = scope;
            c.marks = marks;
            c.scanRest();
          }
          start = -1;
          if (t.type == Token.Type.EOF) {
            return;
          }
        } else if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && start < 0 && (t.is("DEFAULT") || t.isPunct('='))) {
          start = ahead.peek().start;
        }
      }
    }

    /**
     * The parameter names of a routine's signature as {@link #routine} records it (lower-case,
     * spaces normalised): the first word of each depth-0 item after its mode ({@code IN}, {@code
     * OUT}, {@code INOUT}, {@code VARIADIC}); an item of one word is an unnamed PostgreSQL
     * parameter (its type).
     */
    List<String> parameters(String signature) {
      List<String> names = new ArrayList<>();
      Lexer ahead = new Lexer(signature, 0, signature.length(), syntax);
      int depth = 0;
      List<Token> item = new ArrayList<>();
      while (true) {
        Token t = ahead.next();
        boolean end = t.type == Token.Type.EOF || (depth == 0 && t.isPunct(','));
        if (end) {
          int i = 0;
          while (i < item.size()
              && (item.get(i).is("IN")
                  || item.get(i).is("OUT")
                  || item.get(i).is("INOUT")
                  || item.get(i).is("VARIADIC"))) {
            i++;
          }
          if (i + 1 < item.size() && item.get(i).isName() && item.get(i + 1).isName()) {
            names.add(item.get(i).identifier().toLowerCase(Locale.ROOT));
          }
          item.clear();
          if (t.type == Token.Type.EOF) {
            return names;
          }
          continue;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
        item.add(t);
      }
    }

    /** PostgreSQL: find LANGUAGE and the body ($$...$$, '...' or BEGIN ATOMIC). */
    void pgRoutineBody() {
      String language = null;
      Token body = null;
      Token atomic = null;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("LANGUAGE")) {
          Token l = next();
          language = l.type == Token.Type.STRING ? unquote(l.text()) : l.identifier();
        } else if (depth == 0 && t.is("AS") && body == null) {
          body = next();
        } else if (depth == 0 && t.is("BEGIN") && lx.peek().is("ATOMIC")) {
          atomic = t;
          break;
        } else if (depth == 0 && t.is("RETURN") && body == null) {
          // SQL-standard body RETURN expr (PostgreSQL 14+): the expression runs at each call, its
          // calls are the body's (a skipped expression hid them from the callers, G4)
          atomic = t;
          break;
        }
      }
      if (atomic != null) {
        if (scope != null) {
          scope.rule = Predicate.Scope.Rule.COLUMN; // a SQL-standard body is SQL
        }
        body(atomic.start, s.end(), true);
        return;
      }
      if (body == null) {
        return; // no body at all: the server refuses such a CREATE
      }
      pgBody(body, language == null ? "sql" : language, true);
    }

    void pgBody(Token body, String language, boolean later) {
      String lang = language.toLowerCase(Locale.ROOT);
      if (!lang.equals("plpgsql") && !lang.equals("sql")) {
        add(OpKind.DYNAMIC_SQL, null, null, null, null, "LANGUAGE " + lang + " body");
        return;
      }
      if (scope == null) {
        scope = new Predicate.Scope(Predicate.Scope.Rule.EITHER, null);
      }
      scope.rule = lang.equals("sql") ? Predicate.Scope.Rule.COLUMN : Predicate.Scope.Rule.EITHER;
      if (body.type == Token.Type.DOLLAR_STRING) {
        int tag = body.text().indexOf('$', 1) + 1;
        body(body.start + tag, body.end - tag, later);
      } else {
        add(
            OpKind.DYNAMIC_SQL,
            null,
            null,
            null,
            null,
            "body in a quoted string: write it in dollar quotes ($$ ... $$) so it can be analysed");
      }
    }

    /** MySQL: the body starts at the first depth-0 statement keyword after the header. */
    void mysqlRoutineBody() {
      mysqlBodyFrom(false, true);
    }

    /**
     * Skips characteristics and starts the body at the first statement keyword; {@code later} when
     * the body runs when called or fired. A {@code SONAME} header loads native code.
     */
    void mysqlBodyFrom(boolean immediate, boolean later) {
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.is("SONAME")) {
          add(OpKind.DYNAMIC_SQL, null, null, null, null, "SONAME: a native library's code");
          return;
        }
        if (immediate || startsMysqlBody(t) || (t.isName() && lx.peek(1).isPunct(':'))) {
          body(t.start, s.end(), later);
          return;
        }
        next();
      }
      // fail closed: a body that begins with a statement prodguard does not list is not skipped
      unknown("a routine whose body prodguard cannot find after its header");
    }

    boolean startsMysqlBody(Token t) {
      return switch (t.upper()) {
        case "BEGIN",
            "RETURN",
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "REPLACE",
            "CALL",
            "SET",
            "DROP",
            "ALTER",
            "CREATE",
            "TRUNCATE",
            "IF",
            "CASE",
            "WHILE",
            "LOOP",
            "REPEAT",
            "DECLARE",
            "GRANT",
            "REVOKE",
            "RENAME",
            "PREPARE",
            "EXECUTE",
            "WITH",
            "DO",
            // MariaDB 10.3+: FOR ... DO ... END FOR; and the other statements a body may be
            "FOR",
            "LOAD",
            "OPEN",
            "FETCH",
            "CLOSE",
            "LEAVE",
            "ITERATE",
            "SIGNAL",
            "RESIGNAL",
            "GET",
            "LOCK",
            "UNLOCK",
            "FLUSH",
            "ANALYZE",
            "OPTIMIZE",
            "REPAIR",
            "COMMIT",
            "ROLLBACK",
            "START",
            "SAVEPOINT",
            "RELEASE",
            "XA",
            "HANDLER",
            "VALUES",
            "TABLE",
            "KILL",
            "PURGE",
            "RESET",
            "SHOW",
            "EXPLAIN",
            "DEALLOCATE" ->
            true;
        default -> false;
      };
    }

    void trigger() {
      lx.accept("TRIGGER");
      String trig = name();
      // the events that fire it, read on the way to ON (G4: a write that fires it runs its body)
      Set<String> events = new HashSet<>();
      boolean on = false;
      for (int depth = 0; !lx.atEnd(); ) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("ON")) {
          on = true;
          break;
        } else if (depth == 0 && TRIGGER_EVENTS.contains(t.upper())) {
          events.add(t.upper());
        }
      }
      if (!on) {
        unknown("CREATE TRIGGER without ON table");
        return;
      }
      String table = name();
      add(OpKind.CREATE_TRIGGER, table, null, null, null, trig);
      if (trig != null && table != null && !deferred) {
        routines.defineTrigger(trig, table);
      }
      int body = out.size();
      if (syntax == SqlSyntax.MYSQL) {
        if (skipPast("ROW")) {
          if (lx.peek().is("FOLLOWS") || lx.peek().is("PRECEDES")) {
            next();
            name();
          }
          mysqlBodyFrom(true, true);
        } else {
          unknown("CREATE TRIGGER without FOR EACH ROW: its body cannot be found"); // fail closed
        }
        routines.defineTriggerBody(
            trig, table, events, List.copyOf(out.subList(body, out.size())), false);
        return;
      }
      // PostgreSQL: EXECUTE FUNCTION f(args) runs on every event of the table, later
      if (!skipPast("EXECUTE")) {
        unknown("CREATE TRIGGER without EXECUTE FUNCTION");
        return;
      }
      if (!lx.accept("FUNCTION")) {
        lx.accept("PROCEDURE");
      }
      String fn = name();
      if (fn == null) {
        unknown("CREATE TRIGGER without a function name");
        return;
      }
      String schema = fn.contains(".") ? fn.substring(0, fn.lastIndexOf('.')) : null;
      boolean known = routines.knows(fn);
      if (known || !names.builtin(schema, lastPart(fn))) {
        addVia(
            "trigger " + trig + " on " + table,
            OpKind.FUNCTION_CALL,
            fn,
            null,
            EnumSet.of(Flag.DEFERRED, known ? Flag.DEFERRED : Flag.OPAQUE),
            null);
      }
      routines.defineTriggerBody(
          trig, table, events, List.copyOf(out.subList(body, out.size())), false);
    }

    /**
     * CREATE RULE name AS ON event TO table [WHERE ...] DO [ALSO | INSTEAD] {NOTHING | command |
     * (command; ...)}: the commands run on every such event of the table, later.
     */
    void rule() {
      String rule = name();
      if (!skipPast("ON")) {
        unknown("CREATE RULE without ON event");
        return;
      }
      String event = next().upper(); // SELECT | INSERT | UPDATE | DELETE
      if (!lx.accept("TO")) {
        unknown("CREATE RULE without TO table");
        return;
      }
      String table = name();
      add(OpKind.CREATE_RULE, table, null, null, null, rule);
      int body = out.size();
      ruleAction(rule, table);
      // a SELECT rule makes a view: no write fires it
      if (!event.equals("SELECT")) {
        routines.defineTriggerBody(
            rule,
            table,
            TRIGGER_EVENTS.contains(event) ? Set.of(event) : Set.of(),
            List.copyOf(out.subList(body, out.size())),
            true);
      }
    }

    /** The commands of rule {@code rule} on {@code table}, from before its DO. */
    void ruleAction(String rule, String table) {
      if (!skipPast("DO")) {
        unknown("CREATE RULE without DO");
        return;
      }
      if (!lx.accept("ALSO")) {
        lx.accept("INSTEAD");
      }
      if (lx.accept("NOTHING")) {
        return;
      }
      String where = "action of rule " + rule + " on " + table;
      if (nesting >= MAX_NESTING) {
        unknown("nested too deeply to analyse");
        return;
      }
      Token first = lx.peek();
      int from = first.start;
      int to = s.end();
      if (first.isPunct('(')) {
        from = first.end;
        Token close = skipParens();
        to = close.type == Token.Type.EOF ? s.end() : close.start;
      }
      splitter.split(
          s.source(),
          from,
          to,
          piece -> {
            Ctx c = new Ctx(piece, out, routines, inBody, true, nesting + 1, where);
            c.marks = marks;
            c.top();
          });
    }

    void event() {
      String ev = name();
      add(OpKind.CREATE_FUNCTION, ev, null, null, null, "EVENT");
      if (skipPast("DO")) {
        mysqlBodyFrom(true, true);
      } else {
        unknown("CREATE EVENT without DO: its body cannot be found"); // fail closed
      }
    }

    void doBlock() {
      next();
      String language = "plpgsql";
      Token body = null;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.is("LANGUAGE")) {
          Token l = next();
          language = l.type == Token.Type.STRING ? unquote(l.text()) : l.identifier();
        } else if (t.type == Token.Type.DOLLAR_STRING || t.type == Token.Type.STRING) {
          body = t;
        }
      }
      add(OpKind.DO_BLOCK, null);
      if (body == null) {
        unknown("DO without a body");
        return;
      }
      pgBody(body, language, false);
    }

    void begin() {
      if (syntax == SqlSyntax.MYSQL && lx.peek(1).is("NOT") && lx.peek(2).is("ATOMIC")) {
        add(OpKind.DO_BLOCK, null);
        body(lx.peek().start, s.end(), false);
        return;
      }
      transaction();
    }

    /** BEGIN, COMMIT, ROLLBACK TO SAVEPOINT, PREPARE TRANSACTION, XA ...: the words, as detail. */
    void transaction() {
      StringBuilder words = new StringBuilder(next().upper());
      while (TRANSACTION_WORDS.contains(lx.peek().upper())) {
        words.append(' ').append(next().upper());
      }
      add(OpKind.TRANSACTION, null, null, null, null, words.toString());
    }

    /**
     * SET: each parameter is the target ({@code search_path}, {@code session_replication_role});
     * {@code SET autocommit} and {@code SET TRANSACTION} are transaction control; MariaDB's {@code
     * SET STATEMENT ... FOR statement} runs the statement; MySQL values may call functions.
     */
    void set() {
      next();
      if (syntax == SqlSyntax.MYSQL && lx.peek().is("STATEMENT")) {
        while (!lx.atEnd() && !lx.peek().is("FOR")) {
          Token t = next();
          if (t.isName()
              && MYSQL_SIDE_EFFECT_SETTINGS.contains(t.identifier().toLowerCase(Locale.ROOT))) {
            unknown("SET STATEMENT " + t.text() + " switches a check of the server off");
          }
          if (t.isName() && t.identifier().equalsIgnoreCase("sql_mode")) {
            unknown(SQL_MODE_CHANGE);
          }
        }
        if (!lx.accept("FOR") || lx.atEnd()) {
          unknown("SET STATEMENT without FOR");
          return;
        }
        sub(lx.peek().start, s.end());
        return;
      }
      while (true) {
        globalScope = false;
        while (lx.peek().is("SESSION")
            || lx.peek().is("LOCAL")
            || lx.peek().is("GLOBAL")
            || lx.peek().is("PERSIST")
            || lx.peek().is("PERSIST_ONLY")) {
          if (syntax == SqlSyntax.MYSQL && !lx.peek().is("SESSION") && !lx.peek().is("LOCAL")) {
            globalScope = true;
          }
          next();
        }
        if (lx.peek().is("TRANSACTION") || lx.peek().is("CHARACTERISTICS")) {
          add(OpKind.TRANSACTION, null, null, null, null, "SET TRANSACTION");
          return;
        }
        String variable = variable();
        if (syntax == SqlSyntax.MYSQL && "sql_mode".equals(variable)) {
          unknown(SQL_MODE_CHANGE);
        } else if (syntax == SqlSyntax.MYSQL && globalScope) {
          unknown("SET GLOBAL/PERSIST changes the server for every session");
        } else if (syntax == SqlSyntax.MYSQL
            && MYSQL_SIDE_EFFECT_SETTINGS.contains(variable)
            && ("password".equals(variable) || !switchesOn())) {
          unknown("SET " + variable + " switches a check or the binary log of the server off");
        } else if (syntax == SqlSyntax.POSTGRESQL && SESSION_WIDE_SETTINGS.contains(variable)) {
          unknown("SET " + variable + " changes what every later statement may do");
        } else if (syntax == SqlSyntax.POSTGRESQL && "search_path".equals(variable)) {
          List<String> path = new ArrayList<>();
          for (int k = 0; lx.peek(k).type != Token.Type.EOF; k++) {
            Token t = lx.peek(k);
            if (t.type == Token.Type.STRING) {
              for (String part : unquote(t.text()).split(",")) {
                path.add(part.trim());
              }
            } else if (t.isName() && !t.is("TO")) {
              path.add(t.identifier());
            }
          }
          searchPath(path);
        }
        if ("autocommit".equals(variable)) {
          add(OpKind.TRANSACTION, null, null, null, null, "SET autocommit");
        } else {
          add(OpKind.SET_SESSION, variable);
        }
        if (syntax != SqlSyntax.MYSQL) {
          scanRest();
          return;
        }
        scanning = true;
        if (variable == null || !skipToComma()) {
          return;
        }
      }
    }

    /** Whether the value that follows ({@code = 1}, {@code := ON}) is a literal 1, ON or TRUE. */
    boolean switchesOn() {
      int k = 0;
      if (lx.peek(k).isPunct(':')) {
        k++;
      }
      if (lx.peek(k).isPunct('=') || lx.peek(k).is("TO")) {
        k++;
      }
      Token v = lx.peek(k);
      Token after = lx.peek(k + 1);
      boolean on = v.text().equals("1") || v.is("ON") || v.is("TRUE");
      return on && (after.type == Token.Type.EOF || after.isPunct(',') || after.isPunct(';'));
    }

    /** Whether the SET target being read is MariaDB's GLOBAL or PERSIST scope. */
    boolean globalScope;

    /** A SET target: {@code name}, {@code a.b}, MySQL {@code @@session.name}, {@code @var}. */
    String variable() {
      boolean user = false;
      int ats = 0;
      while (lx.peek().isPunct('@')) {
        next();
        ats++;
      }
      if (ats == 1) {
        user = true;
      }
      if (ats == 2
          && (lx.peek().is("SESSION") || lx.peek().is("GLOBAL") || lx.peek().is("LOCAL"))
          && lx.peek(1).isPunct('.')) {
        globalScope |= lx.peek().is("GLOBAL");
        next();
        next();
      }
      String n = name();
      if (n == null) {
        return null;
      }
      return user ? "@" + n : n.toLowerCase(Locale.ROOT);
    }

    /** CALL of a procedure: a known body is followed; an unknown one is opaque. */
    void callStatement(String procedure) {
      if (procedure == null) {
        unknown("CALL without a procedure name");
        return;
      }
      boolean known = routines.knows(procedure);
      add(OpKind.CALL, procedure, null, null, known ? null : EnumSet.of(Flag.OPAQUE), null);
      scanRest(); // the arguments may call functions
      if (known && !deferred) {
        expand(procedure, new HashSet<>(), 0);
      }
    }

    void lock() {
      next();
      lx.accept("TABLE");
      lx.accept("TABLES");
      lx.accept("ONLY");
      add(OpKind.LOCK, name());
    }

    void explain() {
      next();
      boolean analyze = false;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.is("ANALYZE") || t.is("ANALYSE")) {
          analyze = true;
        }
        if (t.isPunct('(')) {
          int start = t.start;
          skipParens();
          if (s.source()
              .text()
              .substring(start, lastEnd())
              .toUpperCase(Locale.ROOT)
              .contains("ANALY")) {
            analyze = true;
          }
          continue;
        }
        if (t.type == Token.Type.WORD
            && switch (t.upper()) {
              case "SELECT",
                  "INSERT",
                  "UPDATE",
                  "DELETE",
                  "WITH",
                  "MERGE",
                  "VALUES",
                  "EXECUTE",
                  "CREATE",
                  "TABLE",
                  "REPLACE" ->
                  true;
              default -> false;
            }) {
          if (analyze) {
            sub(t.start, s.end());
          } else {
            add(OpKind.SELECT, null);
          }
          return;
        }
        next();
      }
      add(OpKind.SELECT, null);
    }

    int lastEnd() {
      return lx.peek().start;
    }

    void prepare() {
      if (syntax == SqlSyntax.POSTGRESQL && lx.peek(1).is("TRANSACTION")) {
        transaction(); // two-phase commit: ends Flyway's transaction
        return;
      }
      if (syntax == SqlSyntax.MYSQL) {
        add(OpKind.DYNAMIC_SQL, null, null, null, null, "PREPARE");
        return;
      }
      if (!skipPast("AS")) {
        unknown("PREPARE without AS");
        return;
      }
      sub(lx.peek().start, s.end());
    }

    void rename() {
      next();
      if (lx.accept("USER")) {
        add(OpKind.GRANT, null, null, null, null, "RENAME USER");
        return;
      }
      if (!lx.accept("TABLE") && !lx.accept("TABLES")) {
        unknown("RENAME of an unrecognised kind");
        return;
      }
      do {
        String from = name();
        waitClause();
        if (from == null || !lx.accept("TO")) {
          unknown("RENAME TABLE without a TO");
          return;
        }
        String to = name();
        add(OpKind.RENAME_TABLE, from, null, null, null, "to " + to);
        if (from != null && to != null && !deferred) {
          routines.renameView(from, to);
        }
      } while (lx.acceptPunct(','));
    }

    void grantOrRevoke(OpKind kind) {
      String target = null;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("ON")) {
          if (lx.accept("TABLE") || lx.peek().isName() && !isObjectKind(lx.peek())) {
            target = name();
          }
          break;
        }
      }
      add(kind, target);
    }

    boolean isObjectKind(Token t) {
      return switch (t.upper()) {
        case "SCHEMA",
            "DATABASE",
            "SEQUENCE",
            "FUNCTION",
            "PROCEDURE",
            "ROUTINE",
            "ALL",
            "TYPE",
            "DOMAIN",
            "LANGUAGE",
            "TABLESPACE",
            "FOREIGN",
            "LARGE",
            "PARAMETER" ->
            true;
        default -> false;
      };
    }

    void alter() {
      next();
      if (syntax == SqlSyntax.MYSQL) {
        modifiers(); // ALTER ALGORITHM = MERGE DEFINER = x SQL SECURITY INVOKER VIEW
      }
      Token kind = next();
      if (serverWide("ALTER", kind)) {
        return;
      }
      if (!names.alterKind(kind.upper())) {
        unknown(
            kind.type == Token.Type.EOF
                ? "ALTER of an unrecognised kind"
                : "ALTER " + kind.text() + ": an object type prodguard does not know");
        return;
      }
      switch (kind.upper()) {
        case "TABLE" -> alterTable();
        case "ONLINE", "IGNORE" -> {
          boolean ignore = kind.is("IGNORE") || lx.accept("IGNORE");
          if (lx.accept("TABLE")) {
            int before = out.size();
            alterTable();
            String table = out.size() > before ? out.get(before).target() : null;
            if (ignore && syntax == SqlSyntax.MYSQL && table != null) {
              // MariaDB: errors become warnings and the offending rows go: a new UNIQUE or
              // PRIMARY KEY keeps the first row of each duplicate key and deletes the others
              addVia(
                  "ALTER IGNORE TABLE deletes the rows a new unique key or definition refuses",
                  OpKind.DELETE,
                  table,
                  null,
                  null,
                  null);
            }
          } else {
            add(OpKind.ALTER_OTHER, null);
          }
        }
        case "DEFAULT" -> {
          // ALTER DEFAULT PRIVILEGES ... GRANT | REVOKE
          while (!lx.atEnd()) {
            Token t = next();
            if (t.is("GRANT")) {
              add(OpKind.GRANT, null, null, null, null, "ALTER DEFAULT PRIVILEGES");
              return;
            }
            if (t.is("REVOKE")) {
              add(OpKind.REVOKE, null, null, null, null, "ALTER DEFAULT PRIVILEGES");
              return;
            }
          }
          unknown("ALTER DEFAULT PRIVILEGES without GRANT or REVOKE");
        }
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.GRANT, null, null, null, null, "ALTER " + kind.upper());
        case "FUNCTION", "PROCEDURE", "ROUTINE" -> {
          String fn = name();
          add(OpKind.ALTER_FUNCTION, fn);
          if (lx.peek().isPunct('(')) {
            skipParens();
          }
          // G4: a renamed routine keeps its body under the new name
          if (fn != null && lx.peek().is("RENAME") && lx.peek(1).is("TO")) {
            next();
            next();
            routines.rename(fn, name());
          }
        }
        case "POLICY" -> policy("ALTER");
        case "INDEX" -> alterIndex();
        case "TYPE" -> alterType();
        case "VIEW" -> {
          ifExists();
          String view = name();
          if (view != null && renamesColumn(view)) {
            return;
          }
          add(OpKind.ALTER_OTHER, view, null, null, null, "VIEW");
          if (view != null && !deferred) {
            if (lx.peek().is("RENAME") && lx.peek(1).is("TO")) {
              next();
              next();
              String to = name();
              if (to != null) {
                routines.renameView(view, to);
              }
            } else if (syntax == SqlSyntax.MYSQL) {
              routines.defineView(view, viewBases()); // ALTER VIEW v AS query
            }
          }
        }
        case "MATERIALIZED" -> {
          if (syntax == SqlSyntax.POSTGRESQL && lx.peek().is("VIEW")) {
            next();
            ifExists();
            String view = lx.peek().isName() ? name() : null;
            if (view != null && renamesColumn(view)) {
              return;
            }
            add(OpKind.ALTER_OTHER, view, null, null, null, "MATERIALIZED VIEW");
          } else {
            ifExists();
            add(
                OpKind.ALTER_OTHER,
                lx.peek().isName() ? name() : null,
                null,
                null,
                null,
                "MATERIALIZED");
          }
        }
        case "EVENT" -> {
          if (syntax == SqlSyntax.MYSQL) {
            alterEvent();
          } else {
            alterOther(kind);
          }
        }
        case "EXTENSION" -> {
          if (syntax == SqlSyntax.POSTGRESQL) {
            alterExtension();
          } else {
            alterOther(kind);
          }
        }
        default -> alterOther(kind);
      }
    }

    void alterOther(Token kind) {
      String words = kindWords(kind.upper());
      ifExists();
      String target = lx.peek().isName() ? name() : null;
      Set<Flag> flags =
          kind.is("SEQUENCE") && restartAhead(false) ? EnumSet.of(Flag.RESTARTS_SEQUENCE) : null;
      add(OpKind.ALTER_OTHER, target, null, null, flags, words);
    }

    /**
     * Whether the word RESTART follows at depth 0 before the statement's end (or, with {@code
     * item}, before a depth-0 comma ending an ALTER TABLE item); nothing consumed.
     */
    boolean restartAhead(boolean item) {
      int depth = 0;
      for (int k = 0; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF || (depth == 0 && t.isPunct(';'))) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && item && t.isPunct(',')) {
          return false;
        } else if (depth == 0 && t.is("RESTART")) {
          return true;
        }
      }
    }

    /**
     * MariaDB's {@code ALTER EVENT e ... [DO body]}: a new body is judged as {@code CREATE EVENT}'s
     * is (the server runs it later, outside the deploy, with the definer's rights); a schedule or
     * {@code ENABLE} without one makes the server run a body the migrations do not show: {@code
     * dynamic-sql} (fail closed, as a routine whose body is unseen).
     */
    void alterEvent() {
      String ev = name();
      add(OpKind.ALTER_FUNCTION, ev, null, null, null, "EVENT");
      boolean runsLater = false;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.is("DO")) {
          next();
          mysqlBodyFrom(true, true);
          return;
        }
        runsLater |= t.is("SCHEDULE") || t.is("ENABLE");
        next();
      }
      if (runsLater) {
        add(
            OpKind.DYNAMIC_SQL,
            ev,
            null,
            null,
            null,
            "ALTER EVENT "
                + ev
                + " schedules or enables a body the migrations do not show: the server runs it"
                + " later, outside the deploy");
      }
    }

    /**
     * PostgreSQL's {@code ALTER EXTENSION x ADD | DROP object}: membership decides what pg_dump
     * leaves out of every backup (an extension's member tables, G9) and what {@code DROP EXTENSION}
     * drops with it, rows included. Not judged: an {@code unknown-statement} (fail closed).
     */
    void alterExtension() {
      String ext = name();
      if (lx.peek().is("ADD") || lx.peek().is("DROP")) {
        String action = next().upper();
        String object = lx.atEnd() ? "" : " " + next().upper();
        unknown(
            "ALTER EXTENSION "
                + ext
                + " "
                + action
                + object
                + " changes which objects belong to the extension: pg_dump leaves an extension's"
                + " member tables out of every backup, and DROP EXTENSION drops its members with"
                + " their rows");
        return;
      }
      add(OpKind.ALTER_OTHER, ext, null, null, null, "EXTENSION");
    }

    /**
     * PostgreSQL's {@code ALTER [MATERIALIZED] VIEW r RENAME [COLUMN] a TO b} (after the name
     * {@code r}, just read) renames a column of any relation {@code r}, a table too: a {@code
     * rename-column} of {@code r}, judged as ALTER TABLE's would be. False (nothing consumed) for
     * any other action.
     */
    boolean renamesColumn(String relation) {
      if (syntax != SqlSyntax.POSTGRESQL || !lx.peek().is("RENAME") || lx.peek(1).is("TO")) {
        return false;
      }
      next();
      lx.accept("COLUMN");
      String from = columnName();
      lx.accept("TO");
      add(OpKind.RENAME_COLUMN, relation, from, null, null, "to " + columnName());
      return true;
    }

    /** Consumes the rest of a comma-separated list item; true when it says CASCADE. */
    boolean cascadeInItem() {
      boolean cascade = false;
      while (!lx.atEnd() && !lx.peek().isPunct(',')) {
        cascade |= next().is("CASCADE");
      }
      return cascade;
    }

    /**
     * PostgreSQL's ALTER TYPE on a composite type changes every stored value of every column of
     * that type, without CASCADE: {@code DROP ATTRIBUTE a} deletes that field from every row (a
     * dropped column), {@code RENAME ATTRIBUTE} renames it, {@code ALTER ATTRIBUTE a TYPE t}
     * converts it. Judged as the column operations they are, on {@code type.attribute}; every other
     * form (enum values, owner, schema, rename of the type) stays an ALTER of the type.
     */
    void alterType() {
      String type = lx.peek().isName() ? name() : null;
      boolean attributes = false;
      while (type != null && !lx.atEnd()) {
        Token t = next();
        if (t.is("DROP") && lx.peek().is("ATTRIBUTE")) {
          next();
          ifExists();
          String attribute = name();
          boolean cascade = cascadeInItem();
          add(
              OpKind.DROP_COLUMN,
              type,
              attribute,
              null,
              cascade ? EnumSet.of(Flag.CASCADE) : null,
              "attribute of composite type " + type + ", in every stored value");
          attributes = true;
        } else if (t.is("RENAME") && lx.peek().is("ATTRIBUTE")) {
          next();
          String attribute = name();
          add(
              OpKind.RENAME_COLUMN,
              type,
              attribute,
              null,
              null,
              "attribute of composite type " + type);
          attributes = true;
        } else if (t.is("ALTER") && lx.peek().is("ATTRIBUTE")) {
          next();
          String attribute = name();
          add(
              OpKind.ALTER_COLUMN_TYPE,
              type,
              attribute,
              null,
              null,
              "attribute of composite type " + type + ", converted in every stored value");
          attributes = true;
        }
      }
      if (!attributes) {
        add(OpKind.ALTER_OTHER, type, null, null, null, "TYPE");
      }
    }

    /**
     * PostgreSQL's ALTER INDEX ... RENAME TO / SET SCHEMA renames or moves any relation, a table
     * too ({@code ALTER INDEX orders RENAME TO x} renames the table): judged as an ALTER of the
     * relation named.
     */
    void alterIndex() {
      ifExists();
      String index = name();
      Token action = lx.peek();
      if (action.is("RENAME") && lx.peek(1).is("TO") && routines.isTable(index)) {
        // a table the migrations created: this renames it (rename-table, as ALTER TABLE would)
        next();
        next();
        add(OpKind.RENAME_TABLE, index, null, null, null, "to " + name());
        return;
      }
      if (action.is("RENAME") || (action.is("SET") && lx.peek(1).is("SCHEMA"))) {
        String words = next().upper() + " " + next().upper();
        add(
            OpKind.ALTER_TABLE_OTHER,
            index,
            null,
            null,
            null,
            "ALTER INDEX " + words + " (on a table, it renames or moves the table)");
        return;
      }
      add(OpKind.ALTER_OTHER, index, null, null, null, "INDEX");
    }

    void alterTable() {
      ifExists();
      lx.accept("ONLY");
      String table = name();
      if (table == null) {
        unknown("ALTER TABLE without a table name");
        return;
      }
      waitClause();
      do {
        if (lx.atEnd()) {
          break;
        }
        Token first = lx.peek();
        alterAction(table);
        namesAnotherTable(table, first);
      } while (skipToComma());
    }

    /**
     * MariaDB: the rest of an ALTER TABLE clause (up to its comma) still says {@code TABLE}, so the
     * clause names a second table that {@link #alterAction} did not read (as {@code CONVERT TABLE t
     * TO PARTITION} once was, read as CONVERT TO CHARACTER SET): what it does to that table is
     * unknown (fail closed). Nothing is consumed.
     */
    void namesAnotherTable(String table, Token first) {
      if (syntax != SqlSyntax.MYSQL) {
        return;
      }
      int depth = 0;
      for (int k = 0; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF || (depth == 0 && t.isPunct(','))) {
          return;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (t.is("TABLE")) {
          unknown(
              "ALTER TABLE "
                  + table
                  + " "
                  + first.text()
                  + " ... TABLE names another table in a way prodguard does not read: what it"
                  + " does to that table's rows is unknown");
          return;
        }
      }
    }

    /** MariaDB's {@code WAIT n} and {@code NOWAIT} after a table name (lock wait timeout). */
    void waitClause() {
      if (syntax != SqlSyntax.MYSQL) {
        return;
      }
      if (lx.peek().is("WAIT") && lx.peek(1).type == Token.Type.NUMBER) {
        next();
        next();
      } else {
        lx.accept("NOWAIT");
      }
    }

    void alterAction(String table) {
      Token a = next();
      switch (a.upper()) {
        case "ADD" -> {
          Token n = lx.peek();
          switch (n.upper()) {
            case "CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE" ->
                addConstraint(table);
            case "SYSTEM", "PERIOD" -> {
              if (syntax == SqlSyntax.MYSQL
                  && (lx.peek(1).is("VERSIONING") || lx.peek(1).is("FOR"))) {
                // MariaDB: system versioning (or its period) adds the row_start/row_end columns
                // and copies the table
                add(
                    OpKind.ALTER_TABLE_OTHER,
                    table,
                    null,
                    null,
                    EnumSet.of(Flag.REWRITE),
                    "ADD " + n.upper() + " " + lx.peek(1).upper() + " copies the table");
              } else {
                lx.accept("COLUMN");
                addColumn(table);
              }
            }
            case "INDEX", "KEY", "FULLTEXT", "SPATIAL" -> {
              add(OpKind.CREATE_INDEX, table, null, null, null, "ALTER TABLE ADD " + n.upper());
              if (syntax == SqlSyntax.MYSQL && (n.is("FULLTEXT") || n.is("SPATIAL"))) {
                // MariaDB cannot build these with LOCK=NONE: writes wait for the whole build,
                // and a table's first FULLTEXT index copies the table
                add(
                    OpKind.ALTER_TABLE_OTHER,
                    table,
                    null,
                    null,
                    EnumSet.of(Flag.REWRITE),
                    "ADD "
                        + n.upper()
                        + " INDEX blocks writes for the whole build (the first FULLTEXT index"
                        + " copies the table)");
              }
            }
            default -> {
              lx.accept("COLUMN");
              conditionalAdd = lx.peek().is("IF");
              ifExists();
              if (lx.acceptPunct('(')) {
                do {
                  addColumn(table);
                } while (skipToComma());
                return;
              }
              addColumn(table);
            }
          }
        }
        case "DROP" -> {
          Token n = lx.peek();
          // PostgreSQL has no ALTER TABLE DROP INDEX/KEY: there they are column names (DROP
          // PARTITION stays a partition's drop, the stricter reading of a statement PostgreSQL
          // refuses unless a column is named partition)
          String what =
              syntax == SqlSyntax.POSTGRESQL && (n.is("INDEX") || n.is("KEY")) ? "" : n.upper();
          if ((n.is("SYSTEM") || n.is("PERIOD"))
              && !(syntax == SqlSyntax.MYSQL
                  && (lx.peek(1).is("VERSIONING") || lx.peek(1).is("FOR")))) {
            what = ""; // a column named system or period
          }
          switch (what) {
            case "CONSTRAINT", "CHECK", "FOREIGN", "PRIMARY" -> {
              next();
              boolean cascade = cascadeInItem();
              add(
                  OpKind.DROP_CONSTRAINT,
                  table,
                  null,
                  null,
                  cascade ? EnumSet.of(Flag.CASCADE) : null,
                  null);
            }
            case "INDEX", "KEY" -> {
              next();
              add(OpKind.DROP_INDEX, table);
            }
            case "DEFAULT" -> add(OpKind.ALTER_COLUMN_DEFAULT, table);
            case "PARTITION" -> add(OpKind.DROP_TABLE, table, null, null, null, "DROP PARTITION");
            case "SYSTEM", "PERIOD" -> {
              String words = n.upper() + " " + lx.peek(1).upper();
              if (n.is("SYSTEM")) {
                // MariaDB: the history rows go with the versioning (and its row_start/row_end)
                addVia(
                    "DROP SYSTEM VERSIONING deletes every history row",
                    OpKind.DELETE,
                    table,
                    null,
                    null,
                    "DROP SYSTEM VERSIONING");
              }
              // in place on MariaDB 10.11 (ALGORITHM=INPLACE is accepted): no copy
              add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "DROP " + words);
            }
            default -> {
              lx.accept("COLUMN");
              ifExists();
              String col = columnName();
              if (col == null) {
                add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "DROP " + n.text());
                return;
              }
              boolean cascade = cascadeInItem();
              add(
                  OpKind.DROP_COLUMN,
                  table,
                  col,
                  null,
                  cascade ? EnumSet.of(Flag.CASCADE) : null,
                  null);
            }
          }
        }
        case "ALTER" -> {
          lx.accept("COLUMN");
          if (lx.peek().is("CONSTRAINT") || lx.peek().is("INDEX")) {
            add(OpKind.ALTER_TABLE_OTHER, table);
            return;
          }
          String col = columnName();
          Token b = next();
          Token c = lx.peek();
          if (b.is("TYPE") || (b.is("SET") && c.is("DATA"))) {
            alterColumnType(table, col, b.is("SET"));
          } else if (b.is("SET") && c.is("NOT")) {
            add(OpKind.SET_NOT_NULL, table, col, null, null, null);
          } else if (b.is("DROP") && c.is("NOT")) {
            add(OpKind.DROP_NOT_NULL, table, col, null, null, null);
          } else if ((b.is("SET") || b.is("DROP")) && c.is("DEFAULT")) {
            add(OpKind.ALTER_COLUMN_DEFAULT, table, col, null, null, null);
            if (b.is("SET")) {
              evaluatedOnWrite("default of column " + col, table, c.end, s.end());
            }
          } else if (syntax == SqlSyntax.POSTGRESQL && (b.is("RESTART") || restartAhead(true))) {
            // an identity column's sequence: ALTER COLUMN id RESTART [WITH n], SET ... RESTART
            add(
                OpKind.ALTER_TABLE_OTHER,
                table,
                col,
                null,
                EnumSet.of(Flag.RESTARTS_SEQUENCE),
                b.upper());
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, col, null, null, b.upper());
          }
        }
        case "MODIFY" -> {
          lx.accept("COLUMN");
          ifExists();
          String col = columnName();
          redefine(table, col, col, "MODIFY");
        }
        case "CHANGE" -> {
          lx.accept("COLUMN");
          ifExists();
          String from = columnName();
          String to = columnName();
          String before = routines.columnDefinition(table, from);
          if (from != null && to != null && !from.equalsIgnoreCase(to)) {
            add(OpKind.RENAME_COLUMN, table, from, null, null, "to " + to);
          }
          redefine(table, from, to, "CHANGE", before);
        }
        case "RENAME" -> {
          Token n = lx.peek();
          boolean mysql = syntax == SqlSyntax.MYSQL;
          if (n.is("TO") || n.is("AS")) {
            next();
            add(OpKind.RENAME_TABLE, table, null, null, null, "to " + name());
          } else if (n.is("CONSTRAINT") || (mysql && (n.is("INDEX") || n.is("KEY")))) {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "RENAME " + n.upper());
          } else if (mysql && !n.is("COLUMN")) {
            // MariaDB: RENAME [TO | AS] new_name renames the table; only RENAME COLUMN is a column
            add(OpKind.RENAME_TABLE, table, null, null, null, "to " + name());
          } else {
            // PostgreSQL: RENAME [COLUMN] a TO b (INDEX and KEY are column names there)
            lx.accept("COLUMN");
            String from = columnName();
            lx.accept("TO");
            add(OpKind.RENAME_COLUMN, table, from, null, null, "to " + columnName());
          }
        }
        case "CONVERT" -> {
          if (syntax == SqlSyntax.MYSQL && lx.peek().is("TABLE")) {
            // MariaDB 10.7+: CONVERT TABLE t TO PARTITION p ... moves every row of t into a new
            // partition of this table and t stops existing
            next();
            String moved = name();
            if (moved == null) {
              unknown("ALTER TABLE " + table + " CONVERT TABLE without a table name");
              return;
            }
            add(
                OpKind.DROP_TABLE,
                moved,
                null,
                null,
                null,
                "CONVERT TABLE ... TO PARTITION makes its rows a partition of "
                    + table
                    + " and drops the table");
            add(
                OpKind.ALTER_TABLE_OTHER,
                table,
                null,
                null,
                null,
                "CONVERT TABLE " + moved + " TO PARTITION adds its rows to the table");
          } else if (syntax == SqlSyntax.MYSQL && lx.peek().is("PARTITION")) {
            // MariaDB 10.7+: CONVERT PARTITION p TO TABLE t moves the partition's rows out of this
            // table into a new table t (refused when t exists)
            next();
            String partition = columnName();
            String created = lx.accept("TO") && lx.accept("TABLE") ? name() : null;
            if (created == null) {
              unknown("ALTER TABLE " + table + " CONVERT PARTITION without TO TABLE name");
              return;
            }
            add(
                OpKind.TRUNCATE,
                table,
                null,
                null,
                null,
                "CONVERT PARTITION "
                    + partition
                    + " TO TABLE "
                    + created
                    + " moves the partition's rows out of the table");
            add(OpKind.CREATE_TABLE, created, null, null, null, "CONVERT PARTITION of " + table);
          } else if (syntax == SqlSyntax.MYSQL
              && !(lx.peek().is("TO")
                  && (lx.peek(1).is("CHARACTER") || lx.peek(1).is("CHARSET")))) {
            unknown(
                "ALTER TABLE "
                    + table
                    + " CONVERT "
                    + lx.peek().text()
                    + ": a form of CONVERT prodguard does not know");
          } else if (syntax == SqlSyntax.MYSQL) {
            // CONVERT TO CHARACTER SET: every text column gets a new type, the table is copied
            add(
                OpKind.ALTER_COLUMN_TYPE,
                table,
                null,
                null,
                null,
                "CONVERT TO CHARACTER SET changes the type of every text column and copies the"
                    + " table");
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          }
        }
        case "ALGORITHM", "ENGINE", "FORCE", "LOCK" -> {
          if (syntax == SqlSyntax.MYSQL) {
            mysqlTableOption(table, a);
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          }
        }
        case "TRUNCATE" -> {
          // MariaDB: TRUNCATE PARTITION p deletes the partition's rows
          add(OpKind.TRUNCATE, table, null, null, null, "TRUNCATE PARTITION");
        }
        case "DISCARD" -> {
          // MariaDB: DISCARD TABLESPACE deletes the table's data file
          add(OpKind.TRUNCATE, table, null, null, null, "DISCARD TABLESPACE deletes the rows");
        }
        case "PARTITION", "ORDER" -> {
          if (syntax == SqlSyntax.MYSQL && lx.peek().is("BY")) {
            // MariaDB: partitioning an existing table, or reordering it, copies every row under a
            // lock that blocks writes (neither runs with LOCK=NONE)
            add(
                OpKind.ALTER_TABLE_OTHER,
                table,
                null,
                null,
                EnumSet.of(Flag.REWRITE),
                a.upper() + " BY copies every row of the table while writes wait");
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          }
        }
        case "REORGANIZE", "REBUILD", "COALESCE", "REMOVE" -> {
          if (syntax == SqlSyntax.MYSQL) {
            add(
                OpKind.ALTER_TABLE_OTHER,
                table,
                null,
                null,
                EnumSet.of(Flag.REWRITE),
                a.upper() + " PARTITION copies the partitions' rows");
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          }
        }
        case "VALIDATE" -> {
          add(OpKind.VALIDATE_CONSTRAINT, table);
          lx.accept("CONSTRAINT");
          String constraint = name();
          // the CHECK is evaluated for every row now: the routines it calls run
          for (String fn : routines.constraintCalls(constraint)) {
            if (routines.knows(fn)) {
              callKnown(fn);
            } else {
              add(OpKind.FUNCTION_CALL, fn, null, null, EnumSet.of(Flag.OPAQUE), null);
            }
          }
        }
        case "SET" -> {
          if (lx.peek().is("SCHEMA")) {
            next();
            add(OpKind.RENAME_TABLE, table, null, null, null, "SET SCHEMA " + name());
          } else if (syntax == SqlSyntax.POSTGRESQL
              && (lx.peek().is("LOGGED")
                  || lx.peek().is("UNLOGGED")
                  || lx.peek().is("TABLESPACE")
                  || lx.peek().is("ACCESS"))) {
            add(
                OpKind.ALTER_TABLE_OTHER,
                table,
                null,
                null,
                EnumSet.of(Flag.REWRITE),
                "SET " + lx.peek().upper() + " rewrites the table under an ACCESS EXCLUSIVE lock");
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "SET");
          }
        }
        case "ATTACH", "DETACH" -> {
          // the partition's rows become (or stop being) rows of the table: both are altered
          boolean concurrently = false;
          for (int k = 0; !lx.peek(k).isPunct(',') && lx.peek(k).type != Token.Type.EOF; k++) {
            // FINALIZE completes an interrupted DETACH ... CONCURRENTLY, with its weaker lock
            concurrently |= lx.peek(k).is("CONCURRENTLY") || lx.peek(k).is("FINALIZE");
          }
          add(
              OpKind.ALTER_TABLE_OTHER,
              table,
              null,
              null,
              concurrently ? EnumSet.of(Flag.CONCURRENTLY) : null,
              a.upper() + " PARTITION");
          if (lx.accept("PARTITION")) {
            String partition = name();
            if (partition != null) {
              add(
                  OpKind.ALTER_TABLE_OTHER,
                  partition,
                  null,
                  null,
                  null,
                  a.upper() + " PARTITION of " + table);
            }
          }
        }
        case "INHERIT", "NO" -> {
          // the child's rows become (or stop being) rows of the parent: both are altered
          add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          lx.accept("INHERIT");
          String parent = name();
          if (parent != null) {
            add(OpKind.ALTER_TABLE_OTHER, parent, null, null, null, "INHERIT by " + table);
          }
        }
        case "EXCHANGE" -> {
          // MariaDB: EXCHANGE PARTITION p WITH TABLE t swaps the rows of p and t
          // every row of the partition leaves the table and the other table's rows take their
          // place: for each of the two tables, all of its rows (in the partition) are replaced,
          // as TRUNCATE PARTITION empties one
          add(
              OpKind.TRUNCATE,
              table,
              null,
              null,
              null,
              "EXCHANGE PARTITION replaces every row of the partition with another table's rows");
          if (skipPast("TABLE")) {
            String other = name();
            add(
                OpKind.TRUNCATE,
                other,
                null,
                null,
                null,
                "EXCHANGE PARTITION replaces every row of the table with the rows of a partition"
                    + " of "
                    + table);
          }
        }
        case "ENABLE", "DISABLE" -> {
          // PostgreSQL: [ENABLE [REPLICA | ALWAYS] | DISABLE] TRIGGER ALL | USER changes how every
          // (user) trigger of the table fires, prodguard's TRUNCATE guard included (named in the
          // detail for ProdguardObjectsRule); a trigger named here is a reference of its own
          int k = lx.peek().is("REPLICA") || lx.peek().is("ALWAYS") ? 1 : 0;
          if (syntax == SqlSyntax.POSTGRESQL
              && lx.peek(k).is("TRIGGER")
              && (lx.peek(k + 1).is("ALL") || lx.peek(k + 1).is("USER"))) {
            StringBuilder detail = new StringBuilder(a.upper());
            for (int i = 0; i <= k + 1; i++) {
              detail.append(' ').append(next().upper());
            }
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, detail.toString());
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
          }
        }
        default -> add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
      }
    }

    /**
     * MariaDB {@code ALGORITHM [=] COPY}, {@code ENGINE [=] x}, {@code FORCE}: the table is copied
     * row by row under a lock that blocks writes (ALGORITHM=INPLACE, NOCOPY, INSTANT and DEFAULT
     * leave the choice to the server or refuse a copy).
     */
    void mysqlTableOption(String table, Token option) {
      if (option.is("FORCE")) {
        add(
            OpKind.ALTER_TABLE_OTHER,
            table,
            null,
            null,
            EnumSet.of(Flag.REWRITE),
            "FORCE rebuilds the table");
        return;
      }
      lx.acceptPunct('=');
      Token value = lx.peek();
      if (option.is("LOCK")) {
        // LOCK=SHARED blocks writes, LOCK=EXCLUSIVE reads and writes, for the whole ALTER
        boolean blocks = value.is("SHARED") || value.is("EXCLUSIVE");
        add(
            OpKind.ALTER_TABLE_OTHER,
            table,
            null,
            null,
            blocks ? EnumSet.of(Flag.REWRITE) : null,
            "LOCK="
                + value.upper()
                + (blocks
                    ? " blocks "
                        + (value.is("SHARED") ? "writes" : "reads and writes")
                        + " for the whole ALTER"
                    : ""));
        return;
      }
      if (option.is("ENGINE")) {
        String engine =
            (value.type == Token.Type.STRING ? unquote(value.text()) : value.identifier())
                .toUpperCase(Locale.ROOT);
        if (!ROW_KEEPING_ENGINES.contains(engine)) {
          // BLACKHOLE keeps nothing, MRG_MyISAM and FEDERATED/CONNECT read other tables, MEMORY
          // loses its rows at a restart, ARCHIVE and S3 refuse later changes...
          addVia(
              "ENGINE=" + engine + " does not keep the table's rows as stored rows",
              OpKind.TRUNCATE,
              table,
              null,
              null,
              "ENGINE=" + engine);
        }
      }
      boolean copy = option.is("ENGINE") || value.is("COPY");
      add(
          OpKind.ALTER_TABLE_OTHER,
          table,
          null,
          null,
          copy ? EnumSet.of(Flag.REWRITE) : null,
          option.upper()
              + "="
              + value.upper()
              + (copy ? " copies the table row by row, blocking writes" : ""));
    }

    /**
     * PostgreSQL {@code VACUUM FULL} and {@code CLUSTER} rewrite the table under an ACCESS
     * EXCLUSIVE lock; {@code REINDEX} without CONCURRENTLY blocks writes to the table (and reads
     * that use the index) while it builds; MariaDB {@code OPTIMIZE TABLE} recreates an InnoDB
     * table. Other maintenance changes no rows and blocks little.
     */
    void maintenance(Token first) {
      next();
      boolean postgres = syntax == SqlSyntax.POSTGRESQL;
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      String detail = null;
      String target = null;
      if (postgres && (first.is("VACUUM") || first.is("CLUSTER"))) {
        boolean full = first.is("CLUSTER");
        while (!lx.atEnd()) {
          Token t = lx.peek();
          if (t.isPunct('(')) {
            int depth = 0;
            do {
              Token o = next();
              full |= o.is("FULL") && !lx.peek().is("FALSE") && !lx.peek().is("OFF");
              depth += o.isPunct('(') ? 1 : o.isPunct(')') ? -1 : 0;
            } while (depth > 0 && !lx.atEnd());
          } else if (t.is("FULL")) {
            full = true;
            next();
          } else if (t.is("FREEZE") || t.is("VERBOSE") || t.is("ANALYZE") || t.is("ANALYSE")) {
            next();
          } else {
            break;
          }
        }
        if (full) {
          target = lx.peek().isName() ? name() : null;
          flags.add(Flag.REWRITE);
          detail =
              first.upper()
                  + (first.is("VACUUM") ? " FULL" : "")
                  + " rewrites "
                  + (target == null ? "every table it names or finds" : "the table")
                  + " under an ACCESS EXCLUSIVE lock";
        }
      } else if (postgres && first.is("REINDEX")) {
        if (lx.peek().isPunct('(')) {
          skipParens();
        }
        Token what = next();
        if (lx.accept("CONCURRENTLY")) {
          flags.add(Flag.CONCURRENTLY);
        }
        target = lx.peek().isName() ? name() : null;
        detail = "REINDEX " + what.upper();
      } else if (!postgres && first.is("OPTIMIZE")) {
        lx.accept("NO_WRITE_TO_BINLOG");
        lx.accept("LOCAL");
        lx.accept("TABLE");
        target = lx.peek().isName() ? name() : null;
        flags.add(Flag.REWRITE);
        detail = "OPTIMIZE TABLE recreates an InnoDB table, copying its rows";
      }
      add(OpKind.MAINTENANCE, target, null, null, flags, detail);
    }

    void addConstraint(String table) {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      String constraint = lx.accept("CONSTRAINT") ? name() : null;
      Token k = next();
      String detail = k.upper();
      int from = k.end;
      switch (k.upper()) {
        case "CHECK" -> flags.add(Flag.CHECK);
        case "FOREIGN" -> {
          flags.add(Flag.FOREIGN_KEY);
          detail = "FOREIGN KEY";
        }
        case "UNIQUE", "PRIMARY" -> {
          flags.add(Flag.UNIQUE_OR_PRIMARY);
          if (k.is("PRIMARY")) {
            detail = "PRIMARY KEY";
            if (!inBody && !deferred) {
              // a primary key's columns are NOT NULL (the server sets it on them)
              Lexer ahead = new Lexer(s.source().text(), k.start, s.end(), syntax);
              for (String column : primaryKeyColumns(definition(ahead))) {
                routines.notNull(table, column, true);
              }
            }
          }
        }
        default -> {}
      }
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0) {
          if (t.isPunct(',')) {
            break;
          }
          if (t.is("NOT") && lx.peek(1).is("VALID")) {
            flags.add(Flag.NOT_VALID);
          }
          if (t.is("USING") && lx.peek(1).is("INDEX")) {
            flags.add(Flag.USING_INDEX);
          }
        }
        next();
      }
      if (constraint != null && !deferred && flags.contains(Flag.CHECK)) {
        routines.defineConstraint(constraint, callsIn(from, lx.peek().start));
      }
      if (flags.contains(Flag.CHECK)) {
        evaluatedOnWrite(
            "check constraint" + (constraint != null ? " " + constraint : ""),
            table,
            from,
            lx.peek().start);
      }
      add(OpKind.ADD_CONSTRAINT, table, null, null, flags, detail);
    }

    void addColumn(String table) {
      String col = columnName();
      evaluatedOnWrite("column " + col, table, lx.peek().start, s.end());
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      String rewrite = null;
      int depth = 0;
      Token type = lx.peek();
      if (type.is("SERIAL") || type.is("BIGSERIAL") || type.is("SMALLSERIAL")) {
        flags.add(Flag.HAS_DEFAULT);
        rewrite = type.upper() + " fills every existing row from a sequence";
      }
      if (syntax == SqlSyntax.MYSQL
          && !inBody
          && !deferred
          && !conditionalAdd
          && !lx.peek().isPunct('(')
          && !lx.peek().isPunct(',')) {
        Lexer ahead = new Lexer(s.source().text(), lx.peek().start, s.end(), syntax);
        String def = definition(ahead);
        routines.defineColumn(table, col, null);
        if (!def.isEmpty()) {
          recordAfterAdd = new String[] {table, col, def};
        }
      }
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          if (depth == 0) {
            break; // end of a MySQL ADD (a, b) list
          }
          depth--;
        } else if (depth == 0) {
          if (t.isPunct(',')) {
            break;
          }
          if (t.is("NOT") && lx.peek(1).is("NULL")) {
            flags.add(Flag.NOT_NULL);
          } else if (t.is("PRIMARY")) {
            flags.add(Flag.NOT_NULL);
          } else if (t.is("DEFAULT") || t.is("GENERATED") || t.is("AUTO_INCREMENT") || t.is("AS")) {
            flags.add(Flag.HAS_DEFAULT);
            if (syntax == SqlSyntax.POSTGRESQL && rewrite == null) {
              rewrite = t.is("DEFAULT") ? volatileDefault() : generatedRewrite();
            } else if (syntax == SqlSyntax.MYSQL && rewrite == null) {
              // MariaDB adds a column in place only with a constant default: an AUTO_INCREMENT,
              // an expression default (DEFAULT (uuid())) or a STORED generated column fills
              // every existing row, by copying the table
              if (t.is("AUTO_INCREMENT")) {
                rewrite = "an AUTO_INCREMENT column fills every existing row";
              } else if (t.is("DEFAULT") && lx.peek(1).isPunct('(')) {
                rewrite = "an expression default is computed for every existing row";
              } else if (t.is("AS") || t.is("GENERATED")) {
                rewrite = generatedRewrite();
              }
            }
          } else if (t.is("REFERENCES")) {
            flags.add(Flag.FOREIGN_KEY);
          }
        }
        next();
      }
      if (rewrite != null) {
        flags.add(Flag.REWRITE);
      }
      add(
          OpKind.ADD_COLUMN,
          table,
          col,
          null,
          flags,
          flags.contains(Flag.REWRITE) ? rewrite : null);
      if (recordAfterAdd != null) {
        routines.defineColumn(recordAfterAdd[0], recordAfterAdd[1], recordAfterAdd[2]);
        recordAfterAdd = null;
      }
    }

    /** MariaDB ADD COLUMN: the definition to record once the operation is added. */
    String[] recordAfterAdd;

    /** ADD COLUMN IF NOT EXISTS: an existing column keeps its definition, which is not known. */
    boolean conditionalAdd;

    /**
     * PostgreSQL evaluates a non-volatile DEFAULT once and stores it in the catalog; a volatile one
     * ({@code gen_random_uuid()}, {@code random()}, {@code clock_timestamp()}, {@code nextval()}, a
     * function whose volatility prodguard does not know) is evaluated for every existing row: the
     * table is rewritten under an ACCESS EXCLUSIVE lock. The cursor is on DEFAULT; nothing is
     * consumed. Null when every function the expression calls is known not to be volatile.
     */
    String volatileDefault() {
      int depth = 0;
      for (int k = 1; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF) {
          return null;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          if (depth == 0) {
            return null;
          }
          depth--;
        } else if (depth == 0 && (t.isPunct(',') || DEFAULT_ENDS.contains(t.upper()))) {
          return null;
        } else if (t.type == Token.Type.WORD
            && lx.peek(k + 1).isPunct('(')
            && !lx.peek(k - 1).text().equals("::")
            && !lx.peek(k - 1).isPunct(':') // a type after ::, as varchar(20)
            && !NOT_VOLATILE.contains(t.upper())) {
          return "the default "
              + t.text()
              + "() is volatile or of unknown volatility, so every existing row is"
              + " rewritten";
        }
      }
    }

    /**
     * GENERATED ... AS IDENTITY fills every row from a sequence, GENERATED ALWAYS AS (expr) STORED
     * computes every row: both rewrite the table (a VIRTUAL generated column does not). The cursor
     * is on GENERATED or AS; nothing is consumed.
     */
    String generatedRewrite() {
      int depth = 0;
      for (int k = 0; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF) {
          return null;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          if (depth == 0) {
            return null;
          }
          depth--;
        } else if (depth == 0 && t.isPunct(',')) {
          return null;
        } else if (depth == 0 && t.is("IDENTITY")) {
          return "an identity column fills every existing row from a sequence";
        } else if (depth == 0 && t.is("STORED")) {
          return "a stored generated column is computed for every existing row";
        }
      }
    }

    void drop() {
      next();
      lx.accept("TEMPORARY");
      Token kind = next();
      if (!names.dropKind(kind.upper())) {
        unknown(
            kind.type == Token.Type.EOF
                ? "DROP of an unrecognised kind"
                : "DROP " + kind.text() + ": an object type prodguard does not know");
        return;
      }
      if (syntax == SqlSyntax.POSTGRESQL && kind.is("EVENT")) {
        next(); // TRIGGER
        ifExists();
        add(OpKind.DROP_OTHER, name(), null, null, null, "EVENT TRIGGER");
        return;
      }
      switch (kind.upper()) {
        case "DATABASE" -> dropEach(OpKind.DROP_DATABASE);
        case "SCHEMA" ->
            dropEach(syntax == SqlSyntax.MYSQL ? OpKind.DROP_DATABASE : OpKind.DROP_SCHEMA);
        case "TABLE" -> dropEach(OpKind.DROP_TABLE);
        case "INDEX" -> dropIndex();
        case "VIEW" -> {
          int before = out.size();
          dropEach(OpKind.DROP_VIEW);
          for (Operation op : List.copyOf(out.subList(before, out.size()))) {
            if (op.target() != null && !deferred) {
              routines.dropView(op.target());
            }
          }
        }
        case "MATERIALIZED" -> {
          lx.accept("VIEW");
          dropEach(OpKind.DROP_VIEW);
        }
        case "FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE", "EVENT" -> {
          int before = out.size();
          dropEach(OpKind.DROP_FUNCTION);
          for (Operation op : List.copyOf(out.subList(before, out.size()))) {
            if (op.target() != null && !deferred) {
              routines.drop(op.target());
            }
          }
        }
        case "TRIGGER" -> {
          ifExists();
          String trig = name();
          String table = lx.accept("ON") ? name() : null;
          if (table == null && syntax == SqlSyntax.MYSQL) {
            table = routines.triggerTable(trig); // MariaDB names no table: known when created here
          }
          if (!deferred) {
            routines.dropTriggerBody(trig, false);
          }
          add(
              OpKind.DROP_TRIGGER,
              table,
              null,
              null,
              cascadeAtEnd() ? EnumSet.of(Flag.CASCADE) : null,
              trig);
        }
        case "OWNED" ->
            add(
                OpKind.DROP_SCHEMA,
                null,
                null,
                null,
                null,
                "DROP OWNED drops every object a role owns");
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.REVOKE, null, null, null, null, "DROP " + kind.upper());
        case "POLICY" -> policy("DROP");
        case "EXTENSION" -> {
          // PostgreSQL drops every member of the extension with it, CASCADE or not: tables made
          // members (ALTER EXTENSION ... ADD TABLE) with their rows (drop-cascade judges it)
          ifExists();
          do {
            String target = lx.peek().isName() ? name() : null;
            add(
                OpKind.DROP_OTHER,
                target,
                null,
                null,
                syntax == SqlSyntax.POSTGRESQL ? EnumSet.of(Flag.CASCADE) : null,
                "EXTENSION");
          } while (lx.acceptPunct(','));
        }
        default -> {
          String words = kindWords(kind.upper());
          ifExists();
          String target = lx.peek().isName() ? name() : null;
          add(
              OpKind.DROP_OTHER,
              target,
              null,
              null,
              cascadeAtEnd() ? EnumSet.of(Flag.CASCADE) : null,
              words);
        }
      }
    }

    void dropEach(OpKind kind) {
      ifExists();
      List<String> names = new ArrayList<>();
      do {
        String n = name();
        if (n == null) {
          break;
        }
        if (lx.peek().isPunct('(')) {
          skipParens(); // function signature
        }
        names.add(n);
      } while (lx.acceptPunct(','));
      boolean cascade = false;
      while (!lx.atEnd()) {
        if (next().is("CASCADE")) {
          cascade = true;
        }
      }
      if (names.isEmpty()) {
        unknown("DROP without a name");
        return;
      }
      for (String n : names) {
        add(kind, n, null, null, cascade ? EnumSet.of(Flag.CASCADE) : null, null);
      }
    }

    void dropIndex() {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      if (lx.accept("CONCURRENTLY")) {
        flags.add(Flag.CONCURRENTLY);
      }
      ifExists();
      String index = name();
      String table = lx.accept("ON") ? name() : null; // MySQL: DROP INDEX i ON t
      if (cascadeAtEnd()) {
        flags.add(Flag.CASCADE);
      }
      add(OpKind.DROP_INDEX, table, null, null, flags, index);
    }

    // ---- routine bodies ------------------------------------------------------------------

    /**
     * Splits a routine body and classifies what it would run; {@code later} when it runs when the
     * routine is called or its event fires (not for DO blocks, which run at once). Returns whether
     * its last piece left a PL/pgSQL {@code DECLARE} section open.
     */
    boolean body(int from, int to, boolean later) {
      if (nesting >= MAX_NESTING) {
        unknown("routine nested too deeply to analyse");
        return false;
      }
      if (scope == null) {
        // a DO block, a trigger's or event's body, MariaDB's BEGIN NOT ATOMIC
        scope =
            new Predicate.Scope(
                syntax == SqlSyntax.MYSQL
                    ? Predicate.Scope.Rule.VARIABLE
                    : Predicate.Scope.Rule.EITHER,
                null);
      }
      boolean[] declaring = {false};
      splitter.split(
          s.source(),
          from,
          to,
          piece -> {
            Ctx c = new Ctx(piece, out, routines, true, deferred || later, nesting + 1, via);
            c.scope = scope;
            c.marks = marks;
            declaring[0] = c.bodyStatement(declaring[0]);
          });
      return declaring[0];
    }

    /**
     * One piece of a routine body: strips procedural control flow, then classifies the SQL. {@code
     * declaring}: the piece follows a PL/pgSQL {@code DECLARE} (each variable is a piece of its own
     * up to the block's {@code BEGIN}). Returns whether the next piece still does.
     */
    boolean bodyStatement(boolean declaring) {
      if (s.problem() != null) {
        unknown(s.problem());
        return false;
      }
      if (declaring && syntax == SqlSyntax.POSTGRESQL) {
        // "b text", "c CONSTANT int := f()", "r record; BEGIN ...": declarations up to BEGIN
        if (declared(0) && boundCursor(1)) {
          return true; // its query was classified; the next pieces are declarations too
        }
        if (!skipPastScanning("BEGIN")) {
          return true;
        }
        declaring = false;
      }
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return declaring;
        }
        if (syntax == SqlSyntax.POSTGRESQL && t.text().equals("#") && compilerOption()) {
          continue;
        }
        if (t.text().equals("<<")) {
          // <<label>>
          if (!lx.peek(1).isName() || !lx.peek(2).text().equals(">>")) {
            unknown("a '<<' in a routine body that is not a <<label>>");
            return false;
          }
          next();
          next();
          next();
          continue;
        }
        if (t.isName() && lx.peek(1).isPunct(':') && !lx.peek(2).isPunct('=')) {
          next();
          next(); // MySQL label:
          continue;
        }
        if (t.type != Token.Type.WORD) {
          if (lx.peek(1).text().equals(":=")) {
            scanForExecute();
            return false;
          }
          sub(t.start, s.end());
          return false;
        }
        switch (t.upper()) {
          case "BEGIN" -> {
            next();
            lx.accept("NOT");
            lx.accept("ATOMIC");
            // the rest of the piece, on its own; whether it ends in a nested block's DECLARE
            // section ("BEGIN DECLARE a int; b int; BEGIN ...") carries over to the next pieces,
            // which are then declarations up to the nested BEGIN, as PL/pgSQL reads them
            return !lx.atEnd() && body(lx.peek().start, s.end(), false);
          }
          case "DECLARE" -> {
            if (syntax == SqlSyntax.MYSQL) {
              mysqlDeclare();
              return false;
            }
            if (declared(1) && boundCursor(2)) {
              return true; // its query was classified; the next pieces are declarations too
            }
            if (!skipPastScanning("BEGIN")) {
              return true; // the next pieces are declarations too, up to BEGIN
            }
          }
          case "IF", "ELSIF", "ELSEIF", "WHEN" -> {
            if (!skipPastScanning("THEN")) {
              unknown(t.upper() + " without THEN in a routine body");
              return false;
            }
          }
          case "CASE" -> {
            // CASE operand WHEN ...: the operand is an expression, its calls run (G4, attacker 08)
            next();
            boolean was = scanning;
            scanning = true;
            while (!lx.atEnd() && !lx.peek().is("WHEN")) {
              next();
            }
            scanning = was;
            if (lx.atEnd()) {
              unknown("CASE without WHEN in a routine body");
              return false;
            }
          }
          case "ELSE", "LOOP", "REPEAT", "EXCEPTION" -> next();
          case "FOR" -> {
            if (!(syntax == SqlSyntax.POSTGRESQL ? pgForLoop() : mysqlForLoop())) {
              return false;
            }
          }
          case "WHILE", "FOREACH" -> {
            if (!t.is("WHILE")) {
              declared(1); // the loop variable
            }
            if (!skipPastScanning(syntax == SqlSyntax.MYSQL && t.is("WHILE") ? "DO" : "LOOP")) {
              unknown(t.upper() + " without " + (syntax == SqlSyntax.MYSQL ? "DO" : "LOOP"));
              return false;
            }
          }
          case "EXECUTE", "PREPARE" -> {
            dynamicAt(t, t.upper() + " in a routine body");
            return false;
          }
          case "OPEN" -> {
            next();
            if (syntax == SqlSyntax.POSTGRESQL && lx.peek().isName()) {
              next(); // the cursor: OPEN c(1) passes arguments to a bound cursor, not a call
              lx.accept("NO");
              lx.accept("SCROLL");
              if (lx.accept("FOR")) {
                // OPEN c FOR query: the query runs now, whatever it is (G4, attacker 08)
                bodyQuery("OPEN ... FOR", s.end());
                return false;
              }
            }
            scanForExecute();
            return false;
          }
          case "RETURN" -> {
            if (syntax == SqlSyntax.POSTGRESQL && lx.peek(1).is("QUERY")) {
              // RETURN QUERY query | RETURN QUERY EXECUTE ...: the query runs (attacker 08)
              next();
              next();
              bodyQuery("RETURN QUERY", s.end());
              return false;
            }
            scanForExecute();
            return false;
          }
          case "END",
              "RAISE",
              "PERFORM",
              "NULL",
              "EXIT",
              "CONTINUE",
              "LEAVE",
              "ITERATE",
              "GET",
              "FETCH",
              "CLOSE",
              "MOVE",
              "ASSERT",
              "SIGNAL",
              "RESIGNAL",
              "UNTIL",
              "DEALLOCATE" -> {
            scanForExecute();
            return false;
          }
          default -> {
            Token n = lx.peek(1);
            if (n.text().equals(":=")
                || (n.isPunct('.') && lx.peek(3).text().equals(":="))
                || (n.isPunct('['))
                || (syntax == SqlSyntax.POSTGRESQL && plpgsqlAssignment())) {
              scanForExecute(); // assignment
              return false;
            }
            sub(t.start, s.end());
            return false;
          }
        }
      }
    }

    /**
     * The query of a PL/pgSQL statement that runs one ({@code FOR r IN query LOOP}, {@code RETURN
     * QUERY query}, {@code OPEN c FOR query}, a bound cursor's {@code FOR query}), from the next
     * token up to {@code end}: classified as a statement of its own, so a {@code DELETE ...
     * RETURNING} there is judged as anywhere else and what prodguard cannot read is {@code
     * unknown-statement}; {@code EXECUTE} there is dynamic SQL. The tokens up to {@code end} are
     * consumed without reporting them again.
     */
    void bodyQuery(String where, int end) {
      Token first = lx.peek();
      if (first.is("EXECUTE")) {
        dynamicAt(first, where + " EXECUTE in a routine body");
      } else if (first.type == Token.Type.EOF || first.start >= end) {
        unknown(where + " without a query in a routine body");
      } else {
        sub(first.start, end);
      }
      while (!lx.atEnd() && lx.peek().start < end) {
        lx.next();
      }
    }

    /**
     * PL/pgSQL's bound cursor declaration after the variable: {@code [NO] [SCROLL] CURSOR [(args)]
     * FOR|IS query}, with the token after the name at {@code lx.peek(k)}. When it is one, its query
     * (the rest of the piece) is classified and true is returned: opening the cursor runs it.
     */
    boolean boundCursor(int k) {
      int j = k;
      if (lx.peek(j).is("NO")) {
        j++;
      }
      if (lx.peek(j).is("SCROLL")) {
        j++;
      }
      if (!lx.peek(j).is("CURSOR")) {
        return false;
      }
      for (int i = 0; i < j; i++) {
        next();
      }
      next(); // CURSOR
      if (lx.peek().isPunct('(')) {
        skipParens(); // the cursor's parameters
      }
      if (!lx.accept("FOR") && !lx.accept("IS")) {
        unknown("a cursor declaration without FOR query");
        return true;
      }
      bodyQuery("CURSOR FOR", s.end());
      return true;
    }

    /**
     * PL/pgSQL's {@code FOR}: {@code FOR i IN [REVERSE] a..b [BY c] LOOP} (expressions, scanned),
     * {@code FOR r IN cursor[(args)] LOOP} (a bound cursor declared in the body, its query judged
     * where declared), {@code FOR r IN EXECUTE ... LOOP} (dynamic) and {@code FOR r IN query LOOP}
     * where the query is any row-returning statement, {@code DELETE ... RETURNING} included: it is
     * classified (G4, attacker 08). Returns false when the piece was consumed (the header could not
     * be read: {@code unknown-statement}).
     */
    boolean pgForLoop() {
      next(); // FOR
      declared(0); // the loop variable
      while (!lx.atEnd() && !lx.peek().is("IN")) {
        next(); // FOR a, b IN ...
      }
      if (!lx.accept("IN")) {
        unknown("FOR without IN in a routine body");
        return false;
      }
      int loop = -1;
      boolean range = false;
      for (int k = 0, depth = 0; ; k++) {
        Token t = lx.peek(k);
        if (t.type == Token.Type.EOF) {
          break;
        }
        if (t.isPunct('(') || t.isPunct('[')) {
          depth++;
        } else if (t.isPunct(')') || t.isPunct(']')) {
          depth--;
        } else if (depth == 0 && t.isPunct('.') && lx.peek(k + 1).isPunct('.')) {
          range |= lx.peek(k + 1).start == t.end; // "..", as PostgreSQL's lexer reads it
        } else if (depth == 0 && t.is("LOOP")) {
          loop = t.start;
          break;
        }
      }
      if (loop < 0) {
        unknown("FOR without LOOP in a routine body");
        return false;
      }
      Token first = lx.peek();
      boolean cursor =
          first.isName()
              && scope != null
              && scope.variables.contains(first.identifier().toLowerCase(Locale.ROOT))
              && (lx.peek(1).is("LOOP") || lx.peek(1).isPunct('('));
      if (range || cursor || first.is("REVERSE")) {
        skipPastScanning("LOOP");
        return true;
      }
      bodyQuery("FOR ... IN", loop);
      next(); // LOOP
      return true;
    }

    /**
     * MariaDB's {@code FOR}: {@code FOR i IN [REVERSE] a..b DO}, {@code FOR r IN cursor[(args)] DO}
     * and {@code FOR r IN (query) DO}, whose query is classified; then the loop's first statement.
     */
    boolean mysqlForLoop() {
      next(); // FOR
      declared(0);
      next(); // the loop variable
      if (!lx.accept("IN")) {
        unknown("FOR without IN in a routine body");
        return false;
      }
      Token open = lx.peek();
      if (open.isPunct('(')) {
        int close = matching(open);
        sub(open.end, close);
        mutedUntil = Math.max(mutedUntil, close); // reported by the query's own classification
      }
      if (!skipPastScanning("DO")) {
        unknown("FOR without DO in a routine body");
        return false;
      }
      return true;
    }

    /**
     * Records the name at {@code lx.peek(k)} as a variable of the routine body ({@link #scope});
     * false when no name is there.
     */
    boolean declared(int k) {
      Token n = lx.peek(k);
      if (scope == null
          || !n.isName()
          || n.holdsPlaceholder()
          || n.is("BEGIN")
          || n.is("DECLARE")) {
        return false;
      }
      scope.variables.add(n.identifier().toLowerCase(Locale.ROOT));
      return true;
    }

    /**
     * PL/pgSQL's compiler options at the start of a body ({@code #variable_conflict use_column},
     * {@code #print_strict_params on}, {@code #option dump}): consumed when it is one of them; any
     * other {@code #} stays unknown.
     */
    boolean compilerOption() {
      Token name = lx.peek(1);
      Token value = lx.peek(2);
      boolean known =
          switch (name.type == Token.Type.WORD ? name.upper() : "") {
            case "VARIABLE_CONFLICT" ->
                value.is("ERROR") || value.is("USE_VARIABLE") || value.is("USE_COLUMN");
            case "PRINT_STRICT_PARAMS" -> value.is("ON") || value.is("OFF");
            case "OPTION" -> value.is("DUMP");
            default -> false;
          };
      if (known) {
        next();
        next();
        Token v = next();
        if (name.is("VARIABLE_CONFLICT") && !v.is("ERROR")) {
          // G4: it decides whether a name is the parameter or the column, hence which rows a
          // condition limits (attacker 22/06)
          unknown(
              "#variable_conflict "
                  + v.text().toLowerCase(Locale.ROOT)
                  + " decides whether a name in the body is a variable or a column, so prodguard"
                  + " cannot be sure which rows its conditions limit; remove the directive,"
                  + " qualify the columns (t.col) and give the parameters distinct names (p_col)");
        }
      }
      return known;
    }

    /**
     * PL/pgSQL's assignment {@code target = expr} or {@code target := expr}, where the target is a
     * variable with any fields and subscripts ({@code NEW.col}, {@code a.b.c}, {@code
     * NEW.counts[1]}, {@code arr[i][j].f}): a name, then {@code .name} or {@code [...]} parts, then
     * {@code =} or {@code :=}.
     */
    boolean plpgsqlAssignment() {
      int k = 1;
      while (true) {
        Token n = lx.peek(k);
        if (n.isPunct('.') && lx.peek(k + 1).isName()) {
          k += 2;
        } else if (n.isPunct('[')) {
          int depth = 0;
          do {
            Token b = lx.peek(k++);
            if (b.type == Token.Type.EOF) {
              return false;
            }
            depth += b.isPunct('[') ? 1 : b.isPunct(']') ? -1 : 0;
          } while (depth > 0);
        } else {
          return n.isPunct('=') || n.text().equals(":=");
        }
      }
    }

    /**
     * MySQL DECLARE: a handler's statement ({@code DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN
     * ROLLBACK; ... END}) runs when the condition is raised; variables and cursors are scanned.
     */
    void mysqlDeclare() {
      if (!lx.peek(1).is("CONTINUE") && !lx.peek(1).is("EXIT") && !lx.peek(1).is("UNDO")) {
        // DECLARE a, b INT DEFAULT 0
        for (int k = 1; declared(k) && lx.peek(k + 1).isPunct(','); k += 2) {}
      }
      boolean handler = false;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.is("HANDLER")) {
          handler = true;
        } else if (handler && t.is("FOR")) {
          next();
          handlerConditions();
          if (!lx.atEnd()) {
            body(lx.peek().start, s.end(), false); // ROLLBACK, COMMIT, BEGIN ... END, SET ...
          }
          return;
        }
        if (!handler && t.is("DEFAULT")) {
          scanForExecute(); // DECLARE a INT DEFAULT f(): the default is evaluated, its calls run
          return;
        }
        if (!handler && t.is("CURSOR")) {
          scanForExecute(); // DECLARE c CURSOR FOR SELECT ...: the query runs when opened
          return;
        }
        next();
      }
    }

    /**
     * A handler's conditions, up to its statement: {@code SQLEXCEPTION}, {@code SQLWARNING}, {@code
     * NOT FOUND}, {@code SQLSTATE [VALUE] '...'}, error numbers and condition names, by commas.
     */
    void handlerConditions() {
      while (!lx.atEnd()) {
        Token c = next();
        if (c.is("NOT")) {
          lx.accept("FOUND");
        } else if (c.is("SQLSTATE")) {
          lx.accept("VALUE");
          next(); // the state string
        }
        if (!lx.acceptPunct(',')) {
          return;
        }
      }
    }

    /** Like skipPast, but dynamic SQL and calls in the skipped condition are still seen. */
    boolean skipPastScanning(String word) {
      boolean was = scanning;
      scanning = true;
      try {
        int depth = 0;
        while (true) {
          Token t = next();
          if (t.type == Token.Type.EOF) {
            return false;
          }
          if (t.isPunct('(')) {
            depth++;
          } else if (t.isPunct(')')) {
            depth--;
          } else if (t.is("EXECUTE")) {
            dynamicAt(t, "EXECUTE in a routine body");
          } else if (depth == 0 && t.is(word)) {
            return true;
          }
        }
      } finally {
        scanning = was;
      }
    }

    /** The rest of a procedural statement: its calls, and EXECUTE as dynamic SQL. */
    void scanForExecute() {
      scanning = true;
      while (!lx.atEnd()) {
        Token t = next();
        if (t.is("EXECUTE")) {
          dynamicAt(t, "EXECUTE in a routine body");
          return;
        }
      }
    }

    /** Dynamic SQL reported where the EXECUTE is, not where the body piece starts. */
    void dynamicAt(Token t, String detail) {
      SourceFile src = s.source();
      SqlStatement at =
          new SqlStatement(src, t.start, s.end(), src.line(t.start), src.column(t.start), null);
      Set<Flag> f = EnumSet.noneOf(Flag.class);
      if (inBody) {
        f.add(Flag.IN_BODY);
      }
      if (deferred) {
        f.add(Flag.DEFERRED);
      }
      out.add(new Operation(OpKind.DYNAMIC_SQL, at, null, null, null, f, detail, via));
    }
  }

  private static boolean writesRows(OpKind kind) {
    return switch (kind) {
      case INSERT, UPDATE, DELETE, MERGE, COPY_IN, TRUNCATE -> true;
      default -> false;
    };
  }

  private static Set<Flag> flagsOrEmpty(Set<Flag> f) {
    return f.isEmpty() ? EnumSet.noneOf(Flag.class) : f;
  }

  static String unquote(String s) {
    return s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
  }
}
