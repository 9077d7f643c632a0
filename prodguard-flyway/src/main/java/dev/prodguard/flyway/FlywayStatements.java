package dev.prodguard.flyway;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.Placeholders;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.database.base.Database;
import org.flywaydb.core.internal.parser.Parser;
import org.flywaydb.core.internal.parser.ParsingContext;
import org.flywaydb.core.internal.parser.ProdguardParsing;
import org.flywaydb.core.internal.parser.Token;
import org.flywaydb.core.internal.resource.ResourceName;
import org.flywaydb.core.internal.sqlscript.SqlScriptMetadata;
import org.flywaydb.core.internal.sqlscript.SqlStatement;
import org.flywaydb.core.internal.sqlscript.SqlStatementIterator;
import org.flywaydb.database.mysql.mariadb.MariaDBDatabaseType;
import org.flywaydb.database.postgresql.PostgreSQLParser;

/**
 * Splits a migration with Flyway's own parser for the database type, as {@code migrate} will, but
 * without a connection: the parser is the one Flyway's {@code DatabaseType} creates, configured by
 * {@link FlywayMigrationEngine}. Flyway's built-in placeholders ({@code ${flyway:defaultSchema}}
 * and the others), whose values come from the database at migrate time, are parsed with a name-like
 * stand-in and given back as written, so the text returned is the file's own. A file Flyway cannot
 * parse (an unknown placeholder, a {@code DELIMITER} inside a statement, ...) is a failure: it
 * would fail at migrate time too.
 *
 * <p>For MySQL and MariaDB URLs alike this is Flyway's MariaDB parser (the supported server); its
 * MySQL parser differs only in not knowing {@code BEGIN NOT ATOMIC}.
 */
final class FlywayStatements {
  /**
   * The stand-ins' prefix: random, once per run (no file, written before the run, can hold it; a
   * nonce per file cost a read of the system's random source per file).
   */
  private static final String MARKER = marker();

  private static String marker() {
    byte[] nonce = new byte[6];
    new SecureRandom().nextBytes(nonce);
    return "prodguard_placeholder_" + HexFormat.of().formatHex(nonce) + "_";
  }

  /** The placeholders Flyway's {@code ParsingContext} fills from the database and the run. */
  private static final List<String> BUILT_IN = PlaceholderText.BUILT_IN;

  /**
   * A statement Flyway's PostgreSQL parser calls non-transactional only because it could not ask
   * the database for its version: {@code ALTER TYPE ... ADD VALUE}, which PostgreSQL 12 and later
   * run in a transaction, as Flyway decides at migrate time on those servers.
   */
  private static final Pattern ALTER_TYPE =
      Pattern.compile("(?is)^(\\s|--[^\n]*(\n|$)|/\\*.*?\\*/)*ALTER\\s+TYPE\\b.*");

  private FlywayStatements() {}

  static EngineStatements split(
      Configuration configuration, MigrationFile file, DatabaseKind kind) {
    return split(
        configuration,
        null,
        new SnapshotResources.Resource(file, StandardCharsets.UTF_8),
        Placeholders.NONE,
        kind);
  }

  /**
   * Flyway's statements for {@code script} with its script configuration {@code conf} (null when
   * there is none), read by Flyway's own {@code SqlScriptMetadata}, and the placeholders of the
   * run: known values come with {@code configuration}, unknown ones are parsed with a stand-in and
   * given back as {@code ${name}}, as {@link PlaceholderText} writes them.
   */
  static EngineStatements split(
      Configuration configuration,
      LoadableResource conf,
      LoadableResource script,
      Placeholders placeholders,
      DatabaseKind kind) {
    return split(configuration, conf, script, placeholders, kind, true);
  }

  /**
   * {@code inMemory}: the script's text is decoded once and read by {@link ProdguardParsing}
   * (Flyway's parser over one in-memory reader); false: by {@code Parser.parse} itself, through
   * Flyway's own reader stack, as {@code migrate} does (the two give the same statements: {@code
   * G4FlywayParsingTest}). A script whose bytes are not valid in its charset is always read by
   * Flyway's own stack.
   */
  static EngineStatements split(
      Configuration configuration,
      LoadableResource conf,
      LoadableResource script,
      Placeholders placeholders,
      DatabaseKind kind,
      boolean inMemory) {
    StandIns context = new StandIns(configuration, placeholders.unknown().keySet());
    Parser parser =
        kind == DatabaseKind.POSTGRESQL
            ? new QuickPostgreSQLParser(configuration, context)
            : new MariaDBDatabaseType()
                .createParser(configuration, configuration.getResourceProvider(), context);
    List<EngineStatements.Statement> out = new ArrayList<>();
    SqlScriptMetadata metadata;
    try {
      metadata = SqlScriptMetadata.fromResource(conf, null, configuration);
    } catch (FlywayException e) {
      return EngineStatements.failed(message(e));
    }
    String text = inMemory && script instanceof SnapshotResources.Resource r ? r.text() : null;
    if (kind == DatabaseKind.POSTGRESQL) {
      Optional<String> endless = copyWithoutEnd(text != null ? text : readAll(script));
      if (endless.isPresent()) {
        return EngineStatements.failed(endless.get());
      }
    }
    try (SqlStatementIterator it =
        text == null
            ? parser.parse(script, metadata)
            : ProdguardParsing.parse(parser, script, text, metadata)) {
      while (it.hasNext()) {
        SqlStatement s = it.next();
        boolean transactional =
            s.canExecuteInTransaction() || ALTER_TYPE.matcher(s.getSql()).matches();
        out.add(
            new EngineStatements.Statement(
                s.getLineNumber(), context.restore(s.getSql()), transactional));
      }
    } catch (FlywayException e) {
      return EngineStatements.failed(message(e));
    }
    return EngineStatements.of(out, Optional.ofNullable(metadata.executeInTransaction()));
  }

  /**
   * Flyway's PostgreSQL parser reads a {@code COPY ... FROM STDIN} statement's data up to the next
   * {@code \n\\.} and, when the file holds none after it, never returns (Flyway 13.12: its reader
   * keeps asking at the end of the file): lint, verify and the deploy itself would hang. The last
   * such statement of the file decides (an earlier one without its end reads up to a later one's).
   * Empty when the file cannot hang the parser this way.
   */
  static Optional<String> copyWithoutEnd(String text) {
    if (!writesCopy(text)) {
      return Optional.empty(); // the regular expression below cannot match (issue 15: its search
      // at every character was a quarter of the split threads' time)
    }
    Matcher m = COPY_FROM_STDIN.matcher(text);
    int last = -1;
    int line = 0;
    while (m.find()) {
      last = m.start();
    }
    if (last < 0 || text.indexOf("\n\\.", last) >= 0) {
      return Optional.empty();
    }
    for (int i = 0; i < last; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return Optional.of(
        "the COPY ... FROM STDIN at line "
            + (line + 1)
            + " has no line holding only \\. after its data: Flyway's parser never ends reading"
            + " this file (the deploy would hang); end the data with a \\. line, or load the rows"
            + " with INSERT statements");
  }

  /**
   * Whether the word {@code copy} is written anywhere in {@code text} in any ASCII case: {@link
   * #COPY_FROM_STDIN} (case-insensitive without {@code UNICODE_CASE}, so only ASCII letters fold)
   * can match only where it is.
   */
  static boolean writesCopy(String text) {
    for (int i = 0; i + 3 < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == 'c' || c == 'C')
          && (text.charAt(i + 1) | 0x20) == 'o'
          && (text.charAt(i + 2) | 0x20) == 'p'
          && (text.charAt(i + 3) | 0x20) == 'y') {
        return true;
      }
    }
    return false;
  }

  /** COPY ... FROM STDIN as Flyway's parser finds it (any case, across lines). */
  private static final Pattern COPY_FROM_STDIN =
      Pattern.compile("(?is)\\bcopy\\b[^;]*?\\bfrom\\s+stdin\\b");

  private static String readAll(LoadableResource script) {
    try (java.io.Reader r = script.read()) {
      StringBuilder b = new StringBuilder();
      char[] buf = new char[8192];
      for (int n; (n = r.read(buf)) > 0; ) {
        b.append(buf, 0, n);
      }
      return b.toString();
    } catch (java.io.IOException | RuntimeException e) {
      // unreadable here: Flyway's own reading below reports it
      return "";
    }
  }

  private static String message(FlywayException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return FlywayMigrationEngine.withoutLooseningHints(m).strip();
  }

  /**
   * The parser {@code PostgreSQLDatabaseType.createParser} makes, cutting statements exactly as it
   * does and deciding, as it does, which statements cannot run in a transaction: the same forms
   * (Flyway 13's {@code PostgreSQLParser}: CREATE/DROP DATABASE, TABLESPACE, SUBSCRIPTION; ALTER
   * SYSTEM; CREATE/DROP [UNIQUE] INDEX CONCURRENTLY; REINDEX [VERBOSE] SCHEMA, DATABASE, SYSTEM;
   * VACUUM; DISCARD ALL), asked once per keyword with one set lookup instead of six patterns, and
   * without Flyway's server-version lookup for {@code ALTER TYPE ... ADD VALUE} (transactional from
   * PostgreSQL 12, as {@link #ALTER_TYPE} treats it): that lookup, which fails here without a
   * database, was most of lint's parse time.
   */
  private static final class QuickPostgreSQLParser extends PostgreSQLParser {
    /**
     * The keyword sequences (as Flyway simplifies them: upper case, one space) of the statements it
     * runs outside a transaction; a set, where Flyway asks a regular expression per form.
     */
    private static final java.util.Set<String> NON_TRANSACTIONAL = nonTransactional();

    private static java.util.Set<String> nonTransactional() {
      java.util.Set<String> forms = new java.util.HashSet<>();
      for (String verb : List.of("CREATE", "DROP")) {
        for (String what : List.of("DATABASE", "TABLESPACE", "SUBSCRIPTION")) {
          forms.add(verb + " " + what);
        }
        forms.add(verb + " INDEX CONCURRENTLY");
        forms.add(verb + " UNIQUE INDEX CONCURRENTLY");
      }
      forms.add("ALTER SYSTEM");
      for (String verbose : List.of("REINDEX", "REINDEX VERBOSE")) {
        for (String what : List.of("SCHEMA", "DATABASE", "SYSTEM")) {
          forms.add(verbose + " " + what);
        }
      }
      forms.add("VACUUM");
      forms.add("DISCARD ALL");
      return java.util.Set.copyOf(forms);
    }

    QuickPostgreSQLParser(Configuration configuration, ParsingContext context) {
      super(configuration, context);
    }

    @Override
    protected Boolean detectCanExecuteInTransaction(
        String simplifiedStatement, List<Token> keywords) {
      if (simplifiedStatement.isEmpty()) {
        return null;
      }
      char first = simplifiedStatement.charAt(0);
      if (first != 'C' && first != 'D' && first != 'A' && first != 'R' && first != 'V') {
        return null; // no non-transactional form starts otherwise: undecided, as Flyway says
      }
      return NON_TRANSACTIONAL.contains(simplifiedStatement) ? Boolean.FALSE : null;
    }
  }

  /**
   * Thrown where Flyway's PostgreSQL parser asks the database for its version (to decide whether
   * {@code ALTER TYPE ... ADD VALUE} may run in a transaction, never how statements are cut); the
   * parser catches it. One stackless instance: a {@code NullPointerException} per statement, with
   * its computed message, made the parse 8 times slower.
   */
  private static final RuntimeException NO_DATABASE =
      new RuntimeException("no database: Flyway's parser runs for lint", null, false, false) {
        private static final long serialVersionUID = 1L;
      };

  /** Flyway's parsing context with stand-ins for the values only a database would give. */
  private static final class StandIns extends ParsingContext {
    private final Map<String, String> originals = new LinkedHashMap<>();
    private final String marker;

    StandIns(Configuration c, java.util.Collection<String> unknown) {
      marker = MARKER;
      // each getter resolves Flyway's environment anew: read it once per file, not per name
      String separator = c.getPlaceholderSeparator();
      for (int i = 0; i < BUILT_IN.size(); i++) {
        String name = "flyway" + separator + BUILT_IN.get(i);
        String standIn = marker + i;
        getPlaceholders().put(name, standIn);
        // as PlaceholderText writes built-ins, whatever the configured prefix and suffix
        originals.put(standIn, "${flyway:" + BUILT_IN.get(i) + "}");
      }
      int i = BUILT_IN.size();
      for (String name : unknown) {
        String standIn = marker + i++;
        getPlaceholders().put(name, standIn);
        originals.put(standIn, "${" + name + "}");
      }
    }

    @Override
    public Database getDatabase() {
      throw NO_DATABASE;
    }

    /** Keeps the stand-in: the file name is not what the text says. */
    @Override
    public void updateFilenamePlaceholder(ResourceName resourceName, Configuration configuration) {}

    String restore(String sql) {
      if (!sql.contains(marker)) {
        return sql;
      }
      String out = sql;
      // longest first, so that marker + "1" never eats marker + "10"
      List<String> standIns = new ArrayList<>(originals.keySet());
      standIns.sort((a, b) -> b.length() - a.length());
      for (String s : standIns) {
        out = out.replace(s, originals.get(s));
      }
      return out;
    }
  }
}
