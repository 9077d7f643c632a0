package dev.prodguard.support.mariadb;

import dev.prodguard.support.SchemaObject;
import dev.prodguard.support.SqlResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Catalog version 4 ({@link SchemaObject#CURRENT_CATALOG}) on MySQL/MariaDB: prodguard's own
 * routines (as installed or changed), every trigger on prodguard's own tables but prodguard's own
 * exactly, routine parameters with definer and {@code sql_mode}, the definer and {@code sql_mode}
 * of triggers and events, view options (check option, security, definer, algorithm), partitioning
 * and table options, ignored indexes, sequences' options and column order. Every object's name
 * starts with one of {@link SchemaObject#CATALOG4_PREFIXES}.
 */
final class MariaDbSchemaCatalog4 {
  private MariaDbSchemaCatalog4() {}

  private static final Pattern TRIGGER =
      Pattern.compile(
          "(?m)^CREATE TRIGGER IF NOT EXISTS (prodguard_\\w+) (BEFORE|AFTER) (INSERT|UPDATE|DELETE)"
              + " ON (\\S+) FOR EACH ROW (.*)$");

  private static final Pattern PROCEDURE =
      Pattern.compile("(?s)CREATE PROCEDURE (prodguard_\\w+)\\s*\\((.*?)\\n;\\n");

  /**
   * prodguard's own triggers exactly, as {@code name|table|timing|event|sha256(statement)}: on
   * prodguard's own tables. Those on Flyway's history table, whose name is configured, are matched
   * by {@link #isHistoryGuardTrigger}.
   */
  static final Set<String> OWN_TRIGGERS = ownTriggers();

  /** SHA-256 (hex) of every body prodguard has released for each of its routines, by name. */
  static final Map<String, Set<String>> KNOWN_BODIES = knownBodies();

  private static Set<String> ownTriggers() {
    Set<String> out = new HashSet<>();
    List<String> texts = new ArrayList<>();
    for (String feature : List.of("audit", "guards", "pipeline", "sync", "metadata", "drift")) {
      for (int v = 1; exists(feature + "/V" + v + ".sql"); v++) {
        texts.add(SqlResources.text("mariadb", feature + "/V" + v + ".sql"));
      }
    }
    for (String t : texts) {
      Matcher m = TRIGGER.matcher(t);
      while (m.find()) {
        out.add(
            String.join(
                "|", m.group(1), m.group(4), m.group(2), m.group(3), sha256(m.group(5).strip())));
      }
    }
    return Set.copyOf(out);
  }

  private static Map<String, Set<String>> knownBodies() {
    Map<String, Set<String>> out = new HashMap<>();
    for (String feature : List.of("audit", "guards", "pipeline", "sync", "metadata", "drift")) {
      for (int v = 1; exists(feature + "/V" + v + ".sql"); v++) {
        Matcher m = PROCEDURE.matcher(SqlResources.text("mariadb", feature + "/V" + v + ".sql"));
        while (m.find()) {
          Matcher begin = Pattern.compile("\\bBEGIN\\b").matcher(m.group(2));
          if (begin.find()) {
            out.computeIfAbsent(m.group(1), k -> new HashSet<>())
                .add(sha256(m.group(2).substring(begin.start()).strip()));
          }
        }
      }
    }
    return Map.copyOf(out);
  }

  private static boolean exists(String path) {
    return MariaDbSchemaCatalog4.class.getResource("/dev/prodguard/support/mariadb/" + path)
        != null;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SQL: true for a row of {@code information_schema.TRIGGERS} that is exactly prodguard's. */
  static String isOwnTrigger() {
    // An account without the TRIGGER privilege on a table sees its triggers with no body
    // (ACTION_STATEMENT and DEFINER NULL): one of prodguard's own by name, table, timing and event
    // is taken as prodguard's there; an account that can read bodies (the deploy's) judges them.
    java.util.stream.Stream<String> unreadable =
        OWN_TRIGGERS.stream().map(t -> t.substring(0, t.lastIndexOf('|')) + "|" + UNREADABLE);
    return "(CONCAT_WS('|', TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,"
        + " COALESCE(SHA2(ACTION_STATEMENT, 256), '"
        + UNREADABLE
        + "')) IN ("
        + java.util.stream.Stream.concat(OWN_TRIGGERS.stream(), unreadable)
            .sorted()
            .map(t -> "'" + t + "'")
            .collect(Collectors.joining(", "))
        + ") OR "
        + isHistoryGuardTrigger()
        + ")";
  }

  /**
   * SQL: true for one of G6's history guard triggers ({@code history-guard/install.sql}) exactly as
   * installed on a table with Flyway's history columns, whatever its name ({@code
   * migrations.table}: {@code flyway_schema_history}, {@code schema_version}, ...), as PostgreSQL's
   * reading does ({@code PgOwnObjects}); its body is the install script's for that very table.
   */
  private static String isHistoryGuardTrigger() {
    return "(TRIGGER_NAME = CONCAT('prodguard_history_no_', LOWER(EVENT_MANIPULATION))"
        + " AND ACTION_TIMING = 'BEFORE'"
        + " AND (ACTION_STATEMENT IS NULL OR ACTION_STATEMENT = CONCAT("
        + "'CALL prodguard_guard_check(''direct migration (', EVENT_MANIPULATION, ' on ',"
        + " EVENT_OBJECT_TABLE, ')'')'))"
        + " AND (SELECT COUNT(*) FROM information_schema.COLUMNS hc"
        + " WHERE hc.TABLE_SCHEMA = EVENT_OBJECT_SCHEMA AND hc.TABLE_NAME = EVENT_OBJECT_TABLE"
        + " AND hc.COLUMN_NAME IN ('installed_rank', 'checksum', 'script', 'success')) = 4)";
  }

  /** What {@link #isOwnTrigger} compares for a body the account may not read. */
  private static final String UNREADABLE = "body-not-readable";

  static void read(Connection c, List<SchemaObject> out, List<String> own) throws SQLException {
    String in =
        own.isEmpty()
            ? "(NULL)"
            : "(" + String.join(", ", Collections.nCopies(own.size(), "?")) + ")";
    String notOwn = own.isEmpty() ? "" : " AND t.TABLE_NAME NOT IN " + in;
    ownTableTriggers(c, out, own);
    ownRoutines(c, out);
    // parameters, definer and sql_mode: a DECIMAL parameter made INT rounds every amount
    query(
        c,
        out,
        List.of(),
        "SELECT CONCAT('parameters of ', LOWER(r.ROUTINE_TYPE), ' ', r.ROUTINE_NAME),"
            + " CONCAT('(', COALESCE((SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE,"
            + " p.PARAMETER_NAME, p.DTD_IDENTIFIER) ORDER BY p.ORDINAL_POSITION SEPARATOR ', ')"
            + " FROM information_schema.PARAMETERS p WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA"
            + " AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ROUTINE_TYPE = r.ROUTINE_TYPE"
            + " AND p.ORDINAL_POSITION > 0), ''), ') definer ', r.DEFINER, ' sql_mode ',"
            + " r.SQL_MODE) FROM information_schema.ROUTINES r"
            + " WHERE r.ROUTINE_SCHEMA = DATABASE() AND r.ROUTINE_NAME NOT IN ("
            + MariaDbSchemaCatalog.OWN_NAMES.stream()
                .sorted()
                .map(n -> "'" + n + "'")
                .collect(Collectors.joining(", "))
            + ")");
    query(
        c,
        out,
        own,
        "SELECT CONCAT('definer of table ', t.TABLE_NAME, ' trigger ', t.TRIGGER_NAME),"
            + " CONCAT(t.DEFINER, ' sql_mode ', t.SQL_MODE) FROM (SELECT EVENT_OBJECT_TABLE AS"
            + " TABLE_NAME, TRIGGER_NAME, DEFINER, SQL_MODE FROM information_schema.TRIGGERS"
            + " WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND NOT "
            + isOwnTrigger()
            + ") t WHERE 1 = 1"
            + notOwn);
    query(
        c,
        out,
        List.of(),
        "SELECT CONCAT('definer of event ', t.EVENT_NAME), CONCAT(t.DEFINER, ' sql_mode ',"
            + " t.SQL_MODE) FROM information_schema.EVENTS t WHERE t.EVENT_SCHEMA = DATABASE()");
    // a view's check option keeps writes through it inside its rows; its security and definer
    // decide with whose rights it reads
    query(
        c,
        out,
        own,
        "SELECT CONCAT('options of view ', t.TABLE_NAME), CONCAT('check ', t.CHECK_OPTION,"
            + " ' security ', t.SECURITY_TYPE, ' definer ', t.DEFINER, ' algorithm ', t.ALGORITHM)"
            + " FROM information_schema.VIEWS t WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn);
    // partitioning added by hand makes inserts outside its ranges fail; ROW_FORMAT and the like
    query(
        c,
        out,
        own,
        "SELECT CONCAT('options of table ', t.TABLE_NAME), t.CREATE_OPTIONS"
            + " FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE()"
            + " AND t.TABLE_TYPE <> 'VIEW' AND COALESCE(t.CREATE_OPTIONS, '') <> ''"
            + notOwn);
    query(
        c,
        out,
        own,
        "SELECT CONCAT('partitioning of table ', t.TABLE_NAME), CONCAT_WS(' ',"
            + " MAX(t.PARTITION_METHOD), MAX(t.PARTITION_EXPRESSION), MAX(t.SUBPARTITION_METHOD),"
            + " MAX(t.SUBPARTITION_EXPRESSION), GROUP_CONCAT(CONCAT_WS(' ', t.PARTITION_NAME,"
            + " t.SUBPARTITION_NAME, t.PARTITION_DESCRIPTION) ORDER BY t.PARTITION_ORDINAL_POSITION,"
            + " t.SUBPARTITION_ORDINAL_POSITION SEPARATOR ', '))"
            + " FROM information_schema.PARTITIONS t WHERE t.TABLE_SCHEMA = DATABASE()"
            + " AND t.PARTITION_NAME IS NOT NULL"
            + notOwn
            + " GROUP BY t.TABLE_NAME");
    query(
        c,
        out,
        own,
        "SELECT CONCAT('columns of table ', t.TABLE_NAME), GROUP_CONCAT(t.COLUMN_NAME"
            + " ORDER BY t.ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.COLUMNS t"
            + " JOIN information_schema.TABLES b ON b.TABLE_SCHEMA = t.TABLE_SCHEMA"
            + " AND b.TABLE_NAME = t.TABLE_NAME AND b.TABLE_TYPE NOT IN ('VIEW', 'SEQUENCE')"
            + " WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn
            + " GROUP BY t.TABLE_NAME");
    ignoredIndexes(c, out, own, notOwn);
    sequences(c, out, own, notOwn);
  }

  /**
   * Triggers on prodguard's own tables other than prodguard's own exactly ({@code prodguard table T
   * trigger N}): each would run with prodguard's own writes (verify's audit row). An account that
   * may not see triggers (no {@code TRIGGER} privilege) sees none.
   */
  static void ownTableTriggers(Connection c, List<SchemaObject> out, List<String> own)
      throws SQLException {
    // a trigger on prodguard's own tables fires on prodguard's own writes (verify's audit row)
    String in =
        own.isEmpty()
            ? "(NULL)"
            : "(" + String.join(", ", Collections.nCopies(own.size(), "?")) + ")";
    query(
        c,
        out,
        own,
        "SELECT CONCAT('prodguard table ', EVENT_OBJECT_TABLE, ' trigger ', TRIGGER_NAME),"
            + " CONCAT_WS(' ', ACTION_TIMING, EVENT_MANIPULATION, 'order', ACTION_ORDER,"
            + " 'definer', DEFINER, CONCAT('sha256 ', SHA2(ACTION_STATEMENT, 256)))"
            + " FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE()"
            + " AND EVENT_OBJECT_TABLE IN "
            + in
            + " AND NOT "
            + isOwnTrigger());
  }

  /** ER_BAD_FIELD_ERROR: the server has no such column. */
  private static final int UNKNOWN_COLUMN = 1054;

  /** An index hidden from the optimizer: MariaDB's {@code IGNORED}, MySQL's {@code IS_VISIBLE}. */
  private static void ignoredIndexes(
      Connection c, List<SchemaObject> out, List<String> own, String notOwn) throws SQLException {
    String select =
        "SELECT DISTINCT CONCAT('ignored index ', t.INDEX_NAME, ' on table ', t.TABLE_NAME),"
            + " 'ignored' FROM information_schema.STATISTICS t WHERE t.TABLE_SCHEMA = DATABASE()"
            + notOwn;
    List<SchemaObject> found = new ArrayList<>();
    // MariaDB 10.6+ has IGNORED, MySQL 8 IS_VISIBLE, older servers neither (no hidden indexes
    // there); any other failure is unreadable state and refuses (fail closed)
    try {
      query(c, found, own, select + " AND t.IGNORED = 'YES'");
    } catch (SQLException e) {
      if (e.getErrorCode() != UNKNOWN_COLUMN) {
        throw e;
      }
      found.clear();
      try {
        query(c, found, own, select + " AND t.IS_VISIBLE = 'NO'");
      } catch (SQLException none) {
        if (none.getErrorCode() != UNKNOWN_COLUMN) {
          throw none;
        }
        found.clear();
      }
    }
    out.addAll(found);
  }

  /** MariaDB sequences: their options (not their current value), read from each sequence. */
  private static void sequences(
      Connection c, List<SchemaObject> out, List<String> own, String notOwn) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t.TABLE_NAME FROM information_schema.TABLES t"
                + " WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'SEQUENCE'"
                + notOwn)) {
      for (int i = 0; i < own.size(); i++) {
        ps.setString(i + 1, own.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    for (String n : names) {
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT CONCAT_WS(' ', 'min', minimum_value, 'max', maximum_value, 'start',"
                      + " start_value, 'increment', increment, 'cache', cache_size,"
                      + " IF(cycle_option, 'cycle', 'nocycle')) FROM `"
                      + n.replace("`", "``")
                      + "`");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          out.add(new SchemaObject("sequence options " + n, rs.getString(1)));
        }
      }
    }
  }

  /**
   * prodguard's own routines ({@link MariaDbSchemaCatalog#OWN_NAMES}): {@link
   * SchemaObject#AS_INSTALLED} when the body is one prodguard released, else its SHA-256; with
   * parameters, security and definer.
   */
  private static void ownRoutines(Connection c, List<SchemaObject> out) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT CONCAT('prodguard ', LOWER(r.ROUTINE_TYPE), ' ', r.ROUTINE_NAME),"
                    + " r.ROUTINE_NAME, SHA2(COALESCE(r.ROUTINE_DEFINITION, ''), 256),"
                    + " CONCAT('(', COALESCE((SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE,"
                    + " p.PARAMETER_NAME, p.DTD_IDENTIFIER) ORDER BY p.ORDINAL_POSITION"
                    + " SEPARATOR ', ') FROM information_schema.PARAMETERS p"
                    + " WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA"
                    + " AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ORDINAL_POSITION > 0), ''),"
                    + " ') security ', r.SECURITY_TYPE, ' definer ', r.DEFINER)"
                    + " FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE()"
                    + " AND r.ROUTINE_NAME IN ("
                    + MariaDbSchemaCatalog.OWN_NAMES.stream()
                        .sorted()
                        .map(n -> "'" + n + "'")
                        .collect(Collectors.joining(", "))
                    + ")");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        boolean known =
            KNOWN_BODIES.getOrDefault(rs.getString(2), Set.of()).contains(rs.getString(3));
        out.add(
            new SchemaObject(
                rs.getString(1),
                (known
                        ? SchemaObject.AS_INSTALLED
                        : "changed outside prodguard: sha256 " + rs.getString(3))
                    + ", "
                    + rs.getString(4)));
      }
    }
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
