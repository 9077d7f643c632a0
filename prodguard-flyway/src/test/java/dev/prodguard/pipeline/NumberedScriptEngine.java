package dev.prodguard.pipeline;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A migration engine that is not Flyway, to prove the seam: numbered scripts {@code 001_name.sql}
 * applied in number order by plain JDBC, one transaction each, statements split at a {@code ;} that
 * ends a line, recorded in its own history table {@code numbered_history} (number, script,
 * SHA-256). Its one callback is its guard artifact {@value #GUARD}: run before each script inside
 * that script's transaction, it calls {@code prodguard_assert_deploy()}, so a hand-run of the
 * engine fails on a protected database; every other file is not run. With {@link #hold()}, a
 * migrate waits at its start until released (a deploy held mid-way).
 */
final class NumberedScriptEngine implements MigrationEngine {
  static final String HISTORY = "numbered_history";
  static final String GUARD = "_before_each.sql";
  private static final Pattern NAME = Pattern.compile("(\\d+)_([A-Za-z0-9_]+)\\.sql");

  final CountDownLatch inside = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  private boolean held;

  /** Makes every migrate wait at its start until {@link #release} is counted down. */
  NumberedScriptEngine hold() {
    held = true;
    return this;
  }

  @Override
  public String name() {
    return "numbered-scripts 1";
  }

  @Override
  public Optional<String> historyTable() {
    return Optional.of(HISTORY);
  }

  @Override
  public List<GuardArtifact> guardArtifacts(DatabaseSupport d) {
    return List.of(
        new GuardArtifact(
            GUARD,
            "-- prodguard G6: numbered scripts run by hand fail. DO NOT DELETE OR EDIT THIS FILE.\n"
                + "-- The numbered-script runner runs it before each script, in its transaction.\n"
                + d.assertDeployCall()
                + ";\n",
            "the numbered-script guard",
            "a numbered script run by hand",
            "scripts of your own go in NNN_name.sql"));
  }

  @Override
  public MigrationSources discover(MigrationFiles files, DatabaseKind kind) {
    String guard = guardArtifacts(DatabaseSupport.of(kind)).get(0).content();
    List<MigrationSource> scripts = new ArrayList<>();
    List<MigrationSource> callbacks = new ArrayList<>();
    List<MigrationSource> rest = new ArrayList<>();
    for (MigrationFile f : files.all()) {
      Matcher m = NAME.matcher(f.relativePath());
      if (f.relativePath().equals(GUARD)) {
        boolean own =
            new String(f.bytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").equals(guard);
        callbacks.add(
            new MigrationSource(
                f,
                own ? MigrationSource.Role.GUARD_ARTIFACT : MigrationSource.Role.CALLBACK,
                Optional.empty(),
                files.shown(f)));
      } else if (m.matches()) {
        MigrationId id =
            new MigrationId(
                MigrationId.Kind.VERSIONED,
                List.of(new BigInteger(m.group(1))),
                m.group(2).replace('_', ' '));
        scripts.add(
            new MigrationSource(
                f, MigrationSource.Role.VERSIONED, Optional.of(id), files.shown(f)));
      } else {
        rest.add(
            new MigrationSource(f, MigrationSource.Role.NOT_RUN, Optional.empty(), files.shown(f)));
      }
    }
    scripts.sort(Comparator.comparing(s -> number(s.file())));
    for (int i = 1; i < scripts.size(); i++) {
      if (number(scripts.get(i).file()) == number(scripts.get(i - 1).file())) {
        throw new ConfigException("two scripts numbered " + number(scripts.get(i).file()));
      }
    }
    List<MigrationSource> all = new ArrayList<>(scripts);
    all.addAll(callbacks);
    all.addAll(rest);
    return new MigrationSources(files, all);
  }

  private static int number(MigrationFile f) {
    return Integer.parseInt(f.relativePath().substring(0, f.relativePath().indexOf('_')));
  }

  @Override
  public EngineStatements statements(MigrationFile file, DatabaseKind kind) {
    String text = new String(file.bytes(), StandardCharsets.UTF_8);
    List<EngineStatements.Statement> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int line = 1;
    int start = 1;
    for (String l : text.split("\n", -1)) {
      if (current.toString().isBlank()) {
        start = line;
        current.setLength(0);
      }
      String t = l.stripTrailing();
      if (t.endsWith(";")) {
        current.append(t, 0, t.length() - 1);
        out.add(new EngineStatements.Statement(start, current.toString().strip()));
        current.setLength(0);
      } else {
        current.append(l).append('\n');
      }
      line++;
    }
    if (!current.toString().isBlank()) {
      out.add(new EngineStatements.Statement(start, current.toString().strip()));
    }
    return EngineStatements.of(out);
  }

  private List<MigrationSource> scripts(MigrationFiles files) {
    return discover(files, DatabaseKind.POSTGRESQL).all().stream()
        .filter(s -> s.role() == MigrationSource.Role.VERSIONED)
        .toList();
  }

  /** The guard (or what is in its place) in the snapshot, run before each script. */
  private Optional<MigrationFile> guard(MigrationFiles files) {
    return files.all().stream().filter(f -> f.relativePath().equals(GUARD)).findFirst();
  }

  /** Number to SHA-256 of what is recorded as applied; empty before the first migrate. */
  private static Map<Integer, String> applied(Connection c) throws SQLException {
    Map<Integer, String> out = new LinkedHashMap<>();
    try (ResultSet tables =
        c.getMetaData().getTables(c.getCatalog(), c.getSchema(), HISTORY, null)) {
      if (!tables.next()) {
        return out;
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT number, sha256 FROM " + HISTORY + " ORDER BY number")) {
      while (rs.next()) {
        out.put(rs.getInt(1), rs.getString(2));
      }
    }
    return out;
  }

  @Override
  public List<String> validate(MigrationFiles files, DataSource dataSource) {
    List<String> problems = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      Map<Integer, String> applied = applied(c);
      Map<Integer, MigrationFile> scripts = new LinkedHashMap<>();
      for (MigrationSource s : scripts(files)) {
        scripts.put(number(s.file()), s.file());
      }
      applied.forEach(
          (n, sha) -> {
            MigrationFile f = scripts.get(n);
            if (f == null) {
              problems.add("script " + n + " was applied but is gone");
            } else if (!f.sha256().equals(sha)) {
              problems.add(f.relativePath() + " was edited after it was applied");
            }
          });
    } catch (SQLException e) {
      problems.add("cannot read " + HISTORY + ": " + e.getMessage());
    }
    return problems;
  }

  @Override
  public List<PendingMigration> pending(MigrationFiles files, DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      Map<Integer, String> applied = applied(c);
      int last = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
      List<PendingMigration> out = new ArrayList<>();
      for (MigrationSource s : scripts(files)) {
        if (number(s.file()) > last) {
          out.add(
              new PendingMigration(
                  Optional.of(String.valueOf(number(s.file()))),
                  s.id().orElseThrow().description(),
                  s.file()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Report migrate(MigrationFiles files, DataSource dataSource) {
    if (held) {
      inside.countDown();
      try {
        if (!release.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    List<Applied> applied = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS "
                + HISTORY
                + " (number INT PRIMARY KEY, script VARCHAR(200) NOT NULL,"
                + " sha256 VARCHAR(64) NOT NULL)");
      }
      for (PendingMigration p : pending(files, dataSource)) {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
            PreparedStatement record =
                c.prepareStatement("INSERT INTO " + HISTORY + " VALUES (?, ?, ?)")) {
          List<EngineStatements.Statement> run = new ArrayList<>();
          guard(files)
              .ifPresent(g -> run.addAll(statements(g, DatabaseKind.POSTGRESQL).statements()));
          run.addAll(statements(p.file(), DatabaseKind.POSTGRESQL).statements());
          for (EngineStatements.Statement s : run) {
            st.execute(s.sql());
          }
          record.setInt(1, number(p.file()));
          record.setString(2, p.file().relativePath());
          record.setString(3, p.file().sha256());
          record.executeUpdate();
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw new MigrationFailure(
              p.file().relativePath() + " failed: " + e.getMessage(), applied, e);
        } finally {
          c.setAutoCommit(true);
        }
        applied.add(
            new Applied(
                p.version(),
                p.description(),
                p.file().relativePath(),
                (System.nanoTime() - t0) / 1_000_000));
      }
    } catch (SQLException e) {
      throw new MigrationFailure("cannot migrate: " + e.getMessage(), applied, e);
    }
    return new Report(applied, name());
  }
}
