package dev.prodguard.support.postgresql;

import dev.prodguard.support.SqlResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * prodguard's own PostgreSQL routines and triggers, exactly: each routine by name and argument
 * types (in prodguard's schema), each trigger by name, table, timing, events, level and routine.
 * Drift leaves out exactly these (an overload {@code prodguard_guard_check()} or a trigger named
 * {@code prodguard_history_guard} on an application table is the schema's like any object), and
 * describes each of the routines by whether its body is one prodguard installs: a {@code CREATE OR
 * REPLACE} by hand is drift.
 */
final class PgOwnObjects {
  private PgOwnObjects() {}

  /** prodguard's routines: name and argument types, as {@code oidvectortypes} spells them. */
  static final List<String> FUNCTIONS =
      List.of(
          "prodguard_assert_deploy()",
          "prodguard_audit_append_only()",
          "prodguard_ddl_guard()",
          "prodguard_guard_check(text)",
          "prodguard_history_guard()",
          "prodguard_mark_stale(text, text, timestamp without time zone)",
          "prodguard_owner_write()",
          "prodguard_register_session(text, text)",
          "prodguard_truncate_guard()",
          "prodguard_truncate_guard_keep()");

  /**
   * prodguard's triggers: name, the table they are on ({@code *} for each of prodguard's tables,
   * {@code history} for the migration tool's history table), what follows the name in {@code
   * pg_get_triggerdef} up to {@code ON}, the level, and the routine; all enabled {@code ALWAYS}.
   */
  record OwnTrigger(String name, String table, String timing, String level, String routine) {}

  static final List<OwnTrigger> TRIGGERS =
      List.of(
          new OwnTrigger(
              "prodguard_owner_write",
              "*",
              "BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE",
              "STATEMENT",
              "prodguard_owner_write()"),
          new OwnTrigger(
              "prodguard_audit_no_change",
              "prodguard_audit",
              "BEFORE DELETE OR UPDATE",
              "ROW",
              "prodguard_audit_append_only()"),
          new OwnTrigger(
              "prodguard_audit_no_truncate",
              "prodguard_audit",
              "BEFORE TRUNCATE",
              "STATEMENT",
              "prodguard_audit_append_only()"),
          new OwnTrigger(
              "prodguard_history_guard",
              "history",
              "BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE",
              "STATEMENT",
              "prodguard_history_guard()"));

  /**
   * SQL, true when trigger {@code g} on relation {@code r}, whatever the session's search path
   * ({@code pg_get_triggerdef} qualifies the table always, the routine only when the path does not
   * find it: as {@code regproc} prints it) (with {@code r.oid}, {@code r.nspname}, {@code
   * r.relname}) is exactly one of prodguard's. {@code schema} (prodguard's schema) appears in the
   * result once, then {@code own} (prodguard's table names, a text array) twice, then {@code
   * schema} again (the TRUNCATE guard, on tables of any schema): bind them in that order when they
   * are {@code ?}. The history table is a table of prodguard's schema with Flyway's history columns
   * (its name belongs to the migration engine).
   */
  static String isOwnTrigger(String schema, String own) {
    StringBuilder sb = new StringBuilder("(g.tgenabled = 'A' AND r.nspname = " + schema + " AND (");
    for (int i = 0; i < TRIGGERS.size(); i++) {
      OwnTrigger t = TRIGGERS.get(i);
      if (i > 0) {
        sb.append(" OR ");
      }
      String table =
          switch (t.table()) {
            case "*" -> "r.relname = ANY (" + own + ")";
            case "history" ->
                "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute ha"
                    + " WHERE ha.attrelid = r.oid AND ha.attname = 'installed_rank' AND ha.attnum > 0"
                    + " AND NOT ha.attisdropped) AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute hb"
                    + " WHERE hb.attrelid = r.oid AND hb.attname = 'checksum' AND hb.attnum > 0"
                    + " AND NOT hb.attisdropped) AND NOT (r.relname = ANY ("
                    + own
                    + "))";
            default -> "r.relname = '" + t.table() + "'";
          };
      sb.append("(g.tgname = '")
          .append(t.name())
          .append("' AND ")
          .append(table)
          .append(" AND pg_catalog.pg_get_triggerdef(g.oid) = 'CREATE TRIGGER ")
          .append(t.name())
          .append(' ')
          .append(t.timing())
          .append(" ON ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || ' FOR EACH ")
          .append(t.level())
          .append(" EXECUTE FUNCTION ' || g.tgfoid::pg_catalog.regproc::text || '()'")
          .append(" AND g.tgfoid = pg_catalog.to_regprocedure(quote_ident(r.nspname) || '.")
          .append(t.routine())
          .append("'))");
    }
    sb.append("))");
    // the TRUNCATE guard (guards version 5) on an application table, in any schema, whose routine
    // is prodguard's own in prodguard's schema (the fourth parameter: {@code schema} again)
    return "("
        + sb
        + " OR (g.tgenabled = 'A' AND g.tgname = 'prodguard_truncate_guard'"
        + " AND g.tgfoid = pg_catalog.to_regprocedure(quote_ident("
        + schema
        + ") || '.prodguard_truncate_guard()')"
        + " AND pg_catalog.pg_get_triggerdef(g.oid) = 'CREATE TRIGGER prodguard_truncate_guard"
        + " BEFORE TRUNCATE ON ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname)"
        + " || ' FOR EACH STATEMENT EXECUTE FUNCTION ' || g.tgfoid::pg_catalog.regproc::text"
        + " || '()'))";
  }

  private static final Pattern CREATE =
      Pattern.compile(
          "(?is)CREATE\\s+OR\\s+REPLACE\\s+FUNCTION\\s+(prodguard_\\w+)\\s*\\([^)]*\\)[^$]*?AS\\s+"
              + "(\\$\\w*\\$)(.*?)\\2");

  /** MD5 (hex) of every body prodguard has ever installed for each of its routines, by name. */
  static final Map<String, Set<String>> KNOWN_BODIES = knownBodies();

  private static Map<String, Set<String>> knownBodies() {
    Map<String, Set<String>> out = new HashMap<>();
    for (String feature :
        List.of("audit", "guards", "pipeline", "sync", "metadata", "drift", "ddl-guard")) {
      for (int v = 1; v < 100; v++) {
        String path = feature + "/V" + v + ".sql";
        if (PgOwnObjects.class.getResource("/dev/prodguard/support/postgresql/" + path) == null) {
          break;
        }
        Matcher m = CREATE.matcher(SqlResources.text("postgresql", path));
        while (m.find()) {
          out.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(md5(m.group(3)));
        }
      }
    }
    return Map.copyOf(out);
  }

  static String md5(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
