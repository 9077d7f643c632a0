package dev.prodguard.sql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a dialect's names mean to the classifier: the object kinds that may follow CREATE, ALTER and
 * DROP, the built-in functions (a call of one runs no user code), and the few built-ins that run
 * SQL text or reach the server's files. The function and keyword lists are read from the server
 * catalogs (PostgreSQL 15 {@code pg_proc} and {@code pg_get_keywords()}, MariaDB 10.11 {@code
 * information_schema.SQL_FUNCTIONS} and {@code KEYWORDS}); each resource file says how it was made.
 */
final class SqlNames {
  /** PostgreSQL 15's volatile built-ins, lower case (Classifier decides which act beyond). */
  static final Set<String> POSTGRESQL_VOLATILE = read("postgresql-volatile-functions.txt");

  /** PostgreSQL's built-in and contrib operator names ({@code #} starts one: not a comment). */
  static final Set<String> POSTGRESQL_OPERATORS = readVerbatim("postgresql-operators.txt");

  /** PostgreSQL's built-in and contrib operator class names, lower case. */
  static final Set<String> POSTGRESQL_OPERATOR_CLASSES =
      readVerbatim("postgresql-operator-classes.txt");

  private static final SqlNames POSTGRESQL =
      new SqlNames(
          read("postgresql-functions.txt"),
          read("postgresql-extension-functions.txt"),
          read("postgresql-keywords.txt"),
          words(
              "ACCESS AGGREGATE CAST COLLATION CONSTRAINT CONVERSION DATABASE DEFAULT DOMAIN EVENT"
                  + " EXTENSION FOREIGN FUNCTION GROUP INDEX LANGUAGE MATERIALIZED OPERATOR POLICY"
                  + " PROCEDURAL PROCEDURE PUBLICATION RECURSIVE ROLE RULE SCHEMA SEQUENCE SERVER"
                  + " STATISTICS SUBSCRIPTION TABLE TABLESPACE TEXT TRANSFORM TRIGGER TRUSTED TYPE"
                  + " UNIQUE USER VIEW"),
          words(
              "AGGREGATE COLLATION CONVERSION DATABASE DEFAULT DOMAIN EVENT EXTENSION FOREIGN"
                  + " FUNCTION GROUP INDEX LANGUAGE LARGE MATERIALIZED OPERATOR POLICY PROCEDURAL"
                  + " PROCEDURE PUBLICATION ROLE ROUTINE RULE SCHEMA SEQUENCE SERVER STATISTICS"
                  + " SUBSCRIPTION SYSTEM TABLE TABLESPACE TEXT TRIGGER TYPE USER VIEW"),
          words(
              "ACCESS AGGREGATE CAST COLLATION CONVERSION DATABASE DOMAIN EVENT EXTENSION FOREIGN"
                  + " FUNCTION GROUP INDEX LANGUAGE MATERIALIZED OPERATOR OWNED POLICY PROCEDURAL"
                  + " PROCEDURE PUBLICATION ROLE ROUTINE RULE SCHEMA SEQUENCE SERVER STATISTICS"
                  + " SUBSCRIPTION TABLE TABLESPACE TEXT TRANSFORM TRIGGER TYPE USER VIEW"),
          // built-ins that execute the SQL text they are given (query_to_xml('select f()') runs f)
          words("query_to_xml query_to_xmlschema query_to_xml_and_xmlschema ts_stat ts_rewrite"),
          // built-ins that read or write files on the database server
          words("lo_import lo_export pg_read_file pg_read_binary_file pg_ls_dir pg_stat_file"),
          words("pg_catalog information_schema"));

  private static final SqlNames MYSQL =
      new SqlNames(
          read("mariadb-functions.txt"),
          Set.of(),
          read("mariadb-keywords.txt"),
          words(
              "AGGREGATE DATABASE EVENT FULLTEXT FUNCTION INDEX LOGFILE PACKAGE PROCEDURE ROLE"
                  + " SCHEMA SEQUENCE SERVER SPATIAL TABLE TABLESPACE TRIGGER UNIQUE USER VIEW"),
          words(
              "DATABASE EVENT FUNCTION IGNORE LOGFILE ONLINE PROCEDURE SCHEMA SEQUENCE SERVER TABLE"
                  + " TABLESPACE USER VIEW"),
          words(
              "DATABASE EVENT FUNCTION INDEX LOGFILE PACKAGE PROCEDURE ROLE SCHEMA SEQUENCE SERVER"
                  + " TABLE TABLESPACE TRIGGER USER VIEW"),
          Set.of(),
          words("load_file"),
          words("mysql information_schema performance_schema sys"));

  /**
   * Words that syntax puts before a parenthesis in queries, DML and routine bodies ({@code OVER (},
   * {@code ON CONFLICT (}, {@code ROWS FROM (}, PL/pgSQL's {@code IF (}, ...): not calls. The
   * keyword lists above hold only PostgreSQL's reserved words; these are unreserved ones.
   */
  private static final Set<String> NOT_CALLS =
      words(
          "over filter conflict rows repeatable sets cube rollup set by first next zone include"
              + " options return perform call columns passing nested path within keys ordinality"
              + " lateral values key returning using partition range groups exclude window insert"
              + " update delete merge select matched if elsif elseif while until raise case when"
              + " then else loop exit foreach assert open fetch get execute signal");

  private final Set<String> functions;
  private final Set<String> extensionFunctions;
  private final Set<String> keywords;
  private final Set<String> createKinds;
  private final Set<String> alterKinds;
  private final Set<String> dropKinds;
  private final Set<String> runsSqlText;
  private final Set<String> serverFiles;
  private final Set<String> systemSchemas;

  private SqlNames(
      Set<String> functions,
      Set<String> extensionFunctions,
      Set<String> keywords,
      Set<String> createKinds,
      Set<String> alterKinds,
      Set<String> dropKinds,
      Set<String> runsSqlText,
      Set<String> serverFiles,
      Set<String> systemSchemas) {
    this.functions = functions;
    this.extensionFunctions = extensionFunctions;
    this.keywords = keywords;
    this.createKinds = createKinds;
    this.alterKinds = alterKinds;
    this.dropKinds = dropKinds;
    this.runsSqlText = runsSqlText;
    this.serverFiles = serverFiles;
    this.systemSchemas = systemSchemas;
  }

  static SqlNames of(SqlSyntax syntax) {
    return syntax == SqlSyntax.POSTGRESQL ? POSTGRESQL : MYSQL;
  }

  /** The first word of an object kind after CREATE (after OR REPLACE, TEMP, DEFINER, ...). */
  boolean createKind(String upper) {
    return createKinds.contains(upper);
  }

  boolean alterKind(String upper) {
    return alterKinds.contains(upper);
  }

  boolean dropKind(String upper) {
    return dropKinds.contains(upper);
  }

  /**
   * A word that is SQL syntax, never a user function, when a parenthesis follows it; and never a
   * table alias when a name follows it.
   */
  boolean keyword(String lower) {
    return keywords.contains(lower) || NOT_CALLS.contains(lower);
  }

  /**
   * A built-in function: {@code schema} is the qualifier as written (null when unqualified). A name
   * of the system catalog qualified with another schema is not the built-in.
   */
  boolean builtin(String schema, String lower) {
    if (schema == null || systemSchemas.contains(schema)) {
      if (functions.contains(lower) || extensionFunctions.contains(lower)) {
        return true;
      }
    } else if (extensionFunctions.contains(lower)) {
      return true; // extensions are installed into a schema of the user's choice
    }
    // spatial functions: PostGIS's and MariaDB's ST_* compute on geometries, they write nothing
    return lower.startsWith("st_") || (this == MYSQL && lower.startsWith("mbr"));
  }

  boolean runsSqlText(String lower) {
    return runsSqlText.contains(lower);
  }

  boolean touchesServerFiles(String lower) {
    return serverFiles.contains(lower);
  }

  private static Set<String> words(String spaceSeparated) {
    return Set.of(spaceSeparated.split(" "));
  }

  /** As {@link #read}, but only a line that starts with {@code "# "} is a comment. */
  private static Set<String> readVerbatim(String resource) {
    return read(resource, "# ");
  }

  private static Set<String> read(String resource) {
    return read(resource, "#");
  }

  /** The resource's lines, stripped and lower-case, but blank ones and {@code comment} ones. */
  private static Set<String> read(String resource, String comment) {
    Set<String> out = new HashSet<>();
    try (InputStream in = SqlNames.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith(comment)) {
          out.add(l.toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(out);
  }
}
