package dev.prodguard.support.mariadb;

import dev.prodguard.support.SchemaObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * MySQL/MariaDB's schema description for drift ({@link dev.prodguard.support.SchemaCatalog}), from
 * {@code information_schema} of the connection's database ({@code DATABASE()}): {@code TABLES},
 * {@code VIEWS}, {@code COLUMNS}, {@code STATISTICS}, {@code TABLE_CONSTRAINTS} with {@code
 * KEY_COLUMN_USAGE}, {@code REFERENTIAL_CONSTRAINTS} and {@code CHECK_CONSTRAINTS}, {@code
 * ROUTINES} and {@code TRIGGERS}. Names carry no schema: the database is the scope.
 */
final class MariaDbSchemaCatalog {
  private MariaDbSchemaCatalog() {}

  /**
   * prodguard's own MySQL/MariaDB routines and triggers, by exact name: routines under these names
   * are left out of the routines and described on their own (catalog 4: as installed or changed),
   * triggers only exactly as prodguard creates them ({@link MariaDbSchemaCatalog4#isOwnTrigger}:
   * name, table, timing, event, statement); any other trigger on prodguard's own tables is
   * described (catalog 4). Anything else named {@code prodguard_*} is the schema's like any object:
   * a pattern on the prefix hid a hand-made {@code prodguard_fix} trigger from drift.
   */
  static final java.util.Set<String> OWN_NAMES =
      java.util.Set.of(
          "prodguard_assert_deploy",
          "prodguard_guard_check",
          "prodguard_guard_triggers",
          "prodguard_mark_stale",
          "prodguard_register_session",
          "prodguard_audit_no_delete",
          "prodguard_audit_no_update",
          "prodguard_history_no_delete",
          "prodguard_history_no_insert",
          "prodguard_history_no_update");

  private static String ownNameList() {
    return OWN_NAMES.stream()
        .sorted()
        .map(n -> "'" + n + "'")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  static List<SchemaObject> read(Connection c, Collection<String> ownTables) throws SQLException {
    List<String> own = List.copyOf(ownTables);
    String notOwn =
        own.isEmpty()
            ? ""
            : " AND t.TABLE_NAME NOT IN ("
                + String.join(", ", Collections.nCopies(own.size(), "?"))
                + ")";
    List<SchemaObject> out = new ArrayList<>();
    query(
        c,
        out,
        own,
        "SELECT CONCAT(IF(t.TABLE_TYPE = 'VIEW', 'view ', 'table '), t.TABLE_NAME),"
            + " IF(t.TABLE_TYPE = 'VIEW', (SELECT v.VIEW_DEFINITION FROM information_schema.VIEWS v"
            + " WHERE v.TABLE_SCHEMA = t.TABLE_SCHEMA AND v.TABLE_NAME = t.TABLE_NAME),"
            + " CONCAT_WS(' ', t.TABLE_TYPE, t.ENGINE, t.TABLE_COLLATION))"
            + " FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn);
    query(
        c,
        out,
        own,
        "SELECT CONCAT('table ', t.TABLE_NAME, ' column ', t.COLUMN_NAME),"
            + " CONCAT_WS(' ', t.COLUMN_TYPE, IF(t.IS_NULLABLE = 'NO', 'not null', NULL),"
            + " IF(t.COLUMN_DEFAULT IS NULL, NULL, CONCAT('default ', t.COLUMN_DEFAULT)),"
            + " NULLIF(t.EXTRA, ''), IF(t.GENERATION_EXPRESSION IS NULL"
            + " OR t.GENERATION_EXPRESSION = '', NULL, CONCAT('as (', t.GENERATION_EXPRESSION, ')')),"
            + " IF(t.COLLATION_NAME IS NULL, NULL, CONCAT('collate ', t.COLLATION_NAME)))"
            + " FROM information_schema.COLUMNS t JOIN information_schema.TABLES b"
            + " ON b.TABLE_SCHEMA = t.TABLE_SCHEMA AND b.TABLE_NAME = t.TABLE_NAME"
            + " AND b.TABLE_TYPE <> 'VIEW'"
            + " WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn);
    query(
        c,
        out,
        own,
        "SELECT CONCAT('table ', t.TABLE_NAME, ' index ', t.INDEX_NAME),"
            + " CONCAT(IF(MAX(t.NON_UNIQUE) = 0, 'unique ', ''), MAX(t.INDEX_TYPE), ' (',"
            + " GROUP_CONCAT(CONCAT(COALESCE(t.COLUMN_NAME, '?'),"
            + " IF(t.SUB_PART IS NULL, '', CONCAT('(', t.SUB_PART, ')')),"
            + " IF(t.COLLATION = 'D', ' desc', '')) ORDER BY t.SEQ_IN_INDEX SEPARATOR ', '), ')')"
            + " FROM information_schema.STATISTICS t WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn
            + " GROUP BY t.TABLE_NAME, t.INDEX_NAME");
    query(
        c,
        out,
        own,
        "SELECT CONCAT('table ', t.TABLE_NAME, ' constraint ', t.CONSTRAINT_NAME),"
            + " CONCAT_WS(' ', t.CONSTRAINT_TYPE, (SELECT CONCAT('(', GROUP_CONCAT(k.COLUMN_NAME"
            + " ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), ')', IF(MAX(k.REFERENCED_TABLE_NAME)"
            + " IS NULL, '', CONCAT(' references ', MAX(k.REFERENCED_TABLE_NAME), ' (',"
            + " GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '),"
            + " ')'))) FROM information_schema.KEY_COLUMN_USAGE k"
            + " WHERE k.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME"
            + " AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME),"
            + " (SELECT CONCAT('on update ', r.UPDATE_RULE, ' on delete ', r.DELETE_RULE)"
            + " FROM information_schema.REFERENTIAL_CONSTRAINTS r"
            + " WHERE r.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND r.TABLE_NAME = t.TABLE_NAME"
            + " AND r.CONSTRAINT_NAME = t.CONSTRAINT_NAME))"
            + " FROM information_schema.TABLE_CONSTRAINTS t WHERE t.TABLE_SCHEMA = DATABASE()"
            + " AND t.CONSTRAINT_TYPE <> 'CHECK'"
            + notOwn);
    checks(c, out, own, notOwn);
    query(
        c,
        out,
        List.of(),
        "SELECT CONCAT(LOWER(t.ROUTINE_TYPE), ' ', t.ROUTINE_NAME),"
            + " CONCAT_WS(' ', t.DTD_IDENTIFIER, t.SECURITY_TYPE, t.SQL_DATA_ACCESS,"
            + " IF(t.IS_DETERMINISTIC = 'YES', 'deterministic', NULL),"
            + " CONCAT('sha256 ', SHA2(COALESCE(t.ROUTINE_DEFINITION, ''), 256)))"
            + " FROM information_schema.ROUTINES t WHERE t.ROUTINE_SCHEMA = DATABASE()"
            + " AND t.ROUTINE_NAME NOT IN ("
            + ownNameList()
            + ")");
    query(
        c,
        out,
        own,
        "SELECT CONCAT('table ', t.TABLE_NAME, ' trigger ', t.TRIGGER_NAME),"
            + " CONCAT_WS(' ', t.ACTION_TIMING, t.EVENT_MANIPULATION, 'order', t.ACTION_ORDER,"
            + " CONCAT('sha256 ', SHA2(t.ACTION_STATEMENT, 256)))"
            + " FROM (SELECT EVENT_OBJECT_TABLE AS TABLE_NAME, TRIGGER_NAME, ACTION_TIMING,"
            + " EVENT_MANIPULATION, ACTION_ORDER, ACTION_STATEMENT FROM information_schema.TRIGGERS"
            + " WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND NOT "
            + MariaDbSchemaCatalog4.isOwnTrigger()
            + ") t"
            + " WHERE 1 = 1"
            + notOwn);
    // catalog 3: scheduled events run statements of their own (CREATE EVENT ... DELETE FROM ...)
    query(
        c,
        out,
        List.of(),
        "SELECT CONCAT('event ', t.EVENT_NAME), CONCAT_WS(' ', t.STATUS, t.EVENT_TYPE,"
            + " t.EXECUTE_AT, t.INTERVAL_VALUE, t.INTERVAL_FIELD, t.STARTS, t.ENDS,"
            + " t.ON_COMPLETION, CONCAT('sha256 ', SHA2(COALESCE(t.EVENT_DEFINITION, ''), 256)))"
            + " FROM information_schema.EVENTS t WHERE t.EVENT_SCHEMA = DATABASE()");
    out.add(
        new SchemaObject(
            SchemaObject.CATALOG_VERSION, String.valueOf(SchemaObject.CURRENT_CATALOG)));
    MariaDbSchemaCatalog4.read(c, out, own);
    Collections.sort(out);
    return out;
  }

  /** CHECK constraints: MariaDB's {@code CHECK_CONSTRAINTS} has the table, MySQL's does not. */
  private static void checks(Connection c, List<SchemaObject> out, List<String> own, String notOwn)
      throws SQLException {
    String select =
        "SELECT CONCAT('table ', t.TABLE_NAME, ' constraint ', t.CONSTRAINT_NAME),"
            + " CONCAT('CHECK ', x.CHECK_CLAUSE) FROM information_schema.TABLE_CONSTRAINTS t"
            + " JOIN information_schema.CHECK_CONSTRAINTS x"
            + " ON x.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND x.CONSTRAINT_NAME = t.CONSTRAINT_NAME";
    String where = " WHERE t.TABLE_SCHEMA = DATABASE() AND t.CONSTRAINT_TYPE = 'CHECK'" + notOwn;
    List<SchemaObject> found = new ArrayList<>();
    try {
      query(c, found, own, select + " AND x.TABLE_NAME = t.TABLE_NAME" + where);
    } catch (SQLException e) {
      found.clear();
      query(c, found, own, select + where);
    }
    out.addAll(found);
  }

  private static void query(Connection c, List<SchemaObject> out, List<String> params, String sql)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new SchemaObject(rs.getString(1), rs.getString(2)));
        }
      }
    }
  }
}
