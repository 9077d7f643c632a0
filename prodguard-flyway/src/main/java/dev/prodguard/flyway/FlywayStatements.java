package dev.prodguard.flyway;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.database.base.Database;
import org.flywaydb.core.internal.parser.Parser;
import org.flywaydb.core.internal.parser.ParsingContext;
import org.flywaydb.core.internal.parser.Token;
import org.flywaydb.core.internal.resource.ResourceName;
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
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The placeholders Flyway's {@code ParsingContext} fills from the database and the run. */
  private static final List<String> BUILT_IN =
      List.of(
          "defaultSchema",
          "user",
          "database",
          "timestamp",
          "filename",
          "workingDirectory",
          "table",
          "environment");

  private FlywayStatements() {}

  static EngineStatements split(
      Configuration configuration, MigrationFile file, DatabaseKind kind) {
    StandIns context = new StandIns(configuration);
    Parser parser =
        kind == DatabaseKind.POSTGRESQL
            ? new CutOnlyPostgreSQLParser(configuration, context)
            : new MariaDBDatabaseType()
                .createParser(configuration, configuration.getResourceProvider(), context);
    List<EngineStatements.Statement> out = new ArrayList<>();
    try (SqlStatementIterator it = parser.parse(new SnapshotResources.Resource(file))) {
      while (it.hasNext()) {
        SqlStatement s = it.next();
        out.add(new EngineStatements.Statement(s.getLineNumber(), context.restore(s.getSql())));
      }
    } catch (FlywayException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return EngineStatements.failed(FlywayMigrationEngine.withoutLooseningHints(m).strip());
    }
    return EngineStatements.of(out);
  }

  /**
   * The parser {@code PostgreSQLDatabaseType.createParser} makes, which cuts statements exactly as
   * it does, without deciding for each keyword whether the statement may run in a transaction: that
   * decision (regular expressions and a database lookup per keyword, most of the parse time) never
   * changes where a statement ends or what it holds, and lint needs only those.
   */
  private static final class CutOnlyPostgreSQLParser extends PostgreSQLParser {
    CutOnlyPostgreSQLParser(Configuration configuration, ParsingContext context) {
      super(configuration, context);
    }

    @Override
    protected Boolean detectCanExecuteInTransaction(
        String simplifiedStatement, List<Token> keywords) {
      return Boolean.TRUE;
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

    StandIns(Configuration c) {
      byte[] nonce = new byte[6];
      RANDOM.nextBytes(nonce);
      marker = "prodguard_placeholder_" + HexFormat.of().formatHex(nonce) + "_";
      // each getter resolves Flyway's environment anew: read them once per file, not per name
      String separator = c.getPlaceholderSeparator();
      String prefix = c.getPlaceholderPrefix();
      String suffix = c.getPlaceholderSuffix();
      for (int i = 0; i < BUILT_IN.size(); i++) {
        String name = "flyway" + separator + BUILT_IN.get(i);
        String standIn = marker + i;
        getPlaceholders().put(name, standIn);
        originals.put(standIn, prefix + name + suffix);
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
