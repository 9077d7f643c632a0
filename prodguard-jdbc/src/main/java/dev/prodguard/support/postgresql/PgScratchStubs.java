package dev.prodguard.support.postgresql;

import dev.prodguard.support.StatementProbe;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What of the target's schema the trace's copy holds only as a stub that raises (docs/trace.md,
 * "Schema copy"): the replay runs the target's own functions and triggers, so nothing copied may
 * act beyond the scratch database. An extension not in {@link #STAYS_INSIDE} (dblink, postgres_fdw,
 * file_fdw, adminpack, the untrusted languages plperlu/plpython3u/pltclu, and any extension
 * prodguard does not know) is not created on the copy: its composite types are created as they are,
 * its functions and procedures as plpgsql stubs of the same signature that raise; a routine of the
 * target (not an extension's) in an untrusted language ({@code c}, {@code internal}, {@code
 * plperlu}, ...) is replaced by such a stub too. A stub raises {@code assert_failure}, which an
 * {@code EXCEPTION WHEN OTHERS} handler does not catch, with {@link #MARKER} in its message: the
 * replay reports {@code trace-incomplete}, never a pass.
 */
final class PgScratchStubs {
  /** In every stub's message; {@link PgStatementProbe#stubbed} looks for it. */
  static final String MARKER = "prodguard_not_copied";

  /**
   * Extensions whose objects act only inside their database (no network, no server files, no
   * programs, no other database): created on the copy as they are. Every other extension is
   * replaced by stubs (fail closed: an extension prodguard does not know may reach anywhere).
   */
  static final Set<String> STAYS_INSIDE =
      Set.of(
          "plpgsql",
          "plperl",
          "pltcl",
          "pgcrypto",
          "uuid-ossp",
          "hstore",
          "citext",
          "pg_trgm",
          "btree_gin",
          "btree_gist",
          "ltree",
          "intarray",
          "intagg",
          "cube",
          "earthdistance",
          "fuzzystrmatch",
          "unaccent",
          "tablefunc",
          "isn",
          "seg",
          "lo",
          "tcn",
          "tsm_system_rows",
          "tsm_system_time",
          "dict_int",
          "dict_xsyn",
          "moddatetime",
          "autoinc",
          "insert_username",
          "refint",
          "bloom",
          "amcheck",
          "pg_stat_statements",
          "pgstattuple",
          "pg_buffercache",
          "pg_visibility",
          "pg_freespacemap",
          "pgrowlocks",
          "pageinspect",
          "sslinfo",
          "vector",
          "postgis",
          "postgis_topology");

  private PgScratchStubs() {}

  /** {@code <dump id>; <catalog oid> <object oid> ...} of a {@code pg_restore --list} line. */
  private static final Pattern ENTRY = Pattern.compile("^\\s*\\d+;\\s+(\\d+)\\s+(\\d+)\\s");

  /** {@code COMMENT - EXTENSION name}: the comment on an extension that is not created. */
  private static final Pattern EXTENSION_COMMENT =
      Pattern.compile("^\\s*\\d+;\\s+0\\s+0\\s+COMMENT\\s+-\\s+EXTENSION\\s+(\\S+)");

  /** The stubs for the target's schema, read from its catalog (catalog reads only). */
  static List<StatementProbe.Stub> read(Connection target) throws SQLException {
    String allowed = quotedList(STAYS_INSIDE);
    Map<String, StatementProbe.Stub> byEntry = new LinkedHashMap<>();
    Map<String, List<String>> sql = new LinkedHashMap<>();
    Map<String, String> what = new LinkedHashMap<>();
    try (Statement st = target.createStatement()) {
      // every function and operator is pg_catalog's: the target's search path redirects none
      try (ResultSet rs =
          st.executeQuery(
              "SELECT e.oid, e.extname FROM pg_catalog.pg_extension e WHERE"
                  + " e.extname::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY["
                  + allowed
                  + "]::pg_catalog.text[]) ORDER BY e.extname")) {
        while (rs.next()) {
          String key = "3079 " + rs.getLong(1);
          sql.put(key, new ArrayList<>());
          what.put(key, "extension " + rs.getString(2));
        }
      }
      // a language of the target's own that is not trusted (not an extension's): left out
      try (ResultSet rs =
          st.executeQuery(
              "SELECT l.oid, l.lanname FROM pg_catalog.pg_language l WHERE NOT l.lanpltrusted AND"
                  + " l.lanispl AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE"
                  + " d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_language'::pg_catalog.regclass"
                  + " AND d.objid OPERATOR(pg_catalog.=) l.oid AND d.deptype"
                  + " OPERATOR(pg_catalog.=) 'e')")) {
        while (rs.next()) {
          String key = "2612 " + rs.getLong(1);
          sql.put(key, new ArrayList<>());
          what.put(key, "language " + rs.getString(2));
        }
      }
      // the extensions' composite types first: their routines may take or return them
      try (ResultSet rs =
          st.executeQuery(
              "SELECT d.refobjid, pg_catalog.format('CREATE TYPE %I.%I AS (%s)', n.nspname,"
                  + " t.typname, (SELECT pg_catalog.string_agg(pg_catalog.format('%I %s',"
                  + " a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY"
                  + " a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid"
                  + " OPERATOR(pg_catalog.=) t.typrelid AND a.attnum OPERATOR(pg_catalog.>) 0 AND"
                  + " NOT a.attisdropped)) FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type t"
                  + " ON t.oid OPERATOR(pg_catalog.=) d.objid JOIN pg_catalog.pg_namespace n ON"
                  + " n.oid OPERATOR(pg_catalog.=) t.typnamespace JOIN pg_catalog.pg_class k ON"
                  + " k.oid OPERATOR(pg_catalog.=) t.typrelid WHERE d.classid"
                  + " OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND"
                  + " d.refclassid OPERATOR(pg_catalog.=)"
                  + " 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype"
                  + " OPERATOR(pg_catalog.=) 'e' AND t.typtype OPERATOR(pg_catalog.=) 'c' AND"
                  + " k.relkind OPERATOR(pg_catalog.=) 'c' ORDER BY t.oid")) {
        while (rs.next()) {
          List<String> list = sql.get("3079 " + rs.getLong(1));
          if (list != null && rs.getString(2) != null) {
            list.add(rs.getString(2));
          }
        }
      }
      // the extensions' routines, and the target's own routines in an untrusted language
      try (ResultSet rs =
          st.executeQuery(
              "SELECT COALESCE((SELECT d.refobjid FROM pg_catalog.pg_depend d WHERE d.classid"
                  + " OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND"
                  + " d.objid OPERATOR(pg_catalog.=) p.oid AND d.refclassid"
                  + " OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass AND"
                  + " d.deptype OPERATOR(pg_catalog.=) 'e' LIMIT 1), 0), p.oid,"
                  + " pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
                  + " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname),"
                  + " pg_catalog.pg_get_function_arguments(p.oid),"
                  + " pg_catalog.pg_get_function_result(p.oid), p.prokind,"
                  + " pg_catalog.pg_get_function_identity_arguments(p.oid), l.lanname,"
                  + " l.lanpltrusted FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON"
                  + " n.oid OPERATOR(pg_catalog.=) p.pronamespace JOIN pg_catalog.pg_language l"
                  + " ON l.oid OPERATOR(pg_catalog.=) p.prolang WHERE n.nspname"
                  + " OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog',"
                  + " 'information_schema']::pg_catalog.name[]) ORDER BY p.oid")) {
        while (rs.next()) {
          long extension = rs.getLong(1);
          String key;
          if (extension != 0) {
            key = "3079 " + extension;
            if (!sql.containsKey(key)) {
              continue; // an extension that stays inside: created as it is
            }
          } else if (!rs.getBoolean(9)) {
            key = "1255 " + rs.getLong(2);
            sql.put(key, new ArrayList<>());
            what.put(key, "language " + rs.getString(8));
          } else {
            continue;
          }
          String name = rs.getString(3);
          String signature = name + "(" + rs.getString(7) + ")";
          String kind = rs.getString(6);
          String body =
              " LANGUAGE plpgsql AS $prodguard_stub$ BEGIN RAISE EXCEPTION USING ERRCODE ="
                  + " 'assert_failure', MESSAGE = "
                  + literal(
                      MARKER
                          + ": "
                          + signature
                          + (extension != 0 ? " of " : " in ")
                          + what.get(key))
                  + "; END $prodguard_stub$";
          String create;
          if ("p".equals(kind)) {
            create = "CREATE PROCEDURE " + name + "(" + rs.getString(4) + ")" + body;
          } else if ("f".equals(kind)) {
            create =
                "CREATE FUNCTION "
                    + name
                    + "("
                    + rs.getString(4)
                    + ") RETURNS "
                    + rs.getString(5)
                    + body;
          } else {
            continue; // aggregates and window functions: no plpgsql stub; dependents fail closed
          }
          sql.get(key).add(create);
        }
      }
    }
    for (Map.Entry<String, List<String>> e : sql.entrySet()) {
      byEntry.put(
          e.getKey(), new StatementProbe.Stub(e.getKey(), e.getValue(), what.get(e.getKey())));
    }
    return new ArrayList<>(byEntry.values());
  }

  /**
   * The archive's entries in restore order, split where an entry is replaced by stubs: each part is
   * restored, then its stubs created (each in a block of its own: a signature plpgsql cannot take,
   * a handler's {@code internal}, is left out, and whatever depends on it fails closed). The
   * comments on extensions that are not created are left out.
   */
  static List<StatementProbe.LoadStep> plan(List<String> toc, List<StatementProbe.Stub> stubs) {
    Map<String, StatementProbe.Stub> byEntry = new LinkedHashMap<>();
    java.util.Set<String> extensions = new java.util.HashSet<>();
    for (StatementProbe.Stub s : stubs) {
      byEntry.put(s.entry(), s);
      if (s.what().startsWith("extension ")) {
        extensions.add(s.what().substring("extension ".length()));
      }
    }
    List<StatementProbe.LoadStep> out = new ArrayList<>();
    List<String> entries = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (String line : toc) {
      Matcher comment = EXTENSION_COMMENT.matcher(line);
      if (comment.find() && extensions.contains(comment.group(1))) {
        continue;
      }
      Matcher m = ENTRY.matcher(line);
      StatementProbe.Stub stub = m.find() ? byEntry.get(m.group(1) + " " + m.group(2)) : null;
      if (stub == null) {
        if (!after.isEmpty()) {
          out.add(new StatementProbe.LoadStep(entries, after));
          entries = new ArrayList<>();
          after = new ArrayList<>();
        }
        entries.add(line);
        continue;
      }
      for (String create : stub.create()) {
        after.add(
            "DO $prodguard_do$ BEGIN EXECUTE "
                + literal(create)
                + "; EXCEPTION WHEN OTHERS THEN NULL; END $prodguard_do$");
      }
    }
    out.add(new StatementProbe.LoadStep(entries, after));
    return out;
  }

  /**
   * Fail closed: the copy holds no extension that acts beyond the database (a check, else an
   * error).
   */
  static String checkExtensions() {
    return "DO $pg$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname"
        + "::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY["
        + quotedList(STAYS_INSIDE)
        + "]::pg_catalog.text[])) THEN RAISE EXCEPTION 'the schema copy holds an extension that"
        + " may act beyond the database: %', (SELECT pg_catalog.string_agg(extname, ', ') FROM"
        + " pg_catalog.pg_extension WHERE extname::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY["
        + quotedList(STAYS_INSIDE)
        + "]::pg_catalog.text[])); END IF; END $pg$";
  }

  private static String quotedList(Set<String> names) {
    return names.stream()
        .sorted()
        .map(PgScratchStubs::literal)
        .reduce((a, b) -> a + ", " + b)
        .orElse("");
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
