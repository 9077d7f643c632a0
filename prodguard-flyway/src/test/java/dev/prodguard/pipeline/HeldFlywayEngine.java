package dev.prodguard.pipeline;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.GuardArtifact;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Flyway, caught at the start of migrate until released: a deploy held mid-way. With {@code
 * holdConnection} it keeps one connection from the deploy's data source (an approved session) open
 * while it waits.
 */
final class HeldFlywayEngine implements MigrationEngine {
  final FlywayMigrationEngine flyway = new FlywayMigrationEngine();
  final CountDownLatch inside = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  private final boolean holdConnection;

  HeldFlywayEngine(boolean holdConnection) {
    this.holdConnection = holdConnection;
  }

  @Override
  public String name() {
    return flyway.name();
  }

  @Override
  public List<String> validate(MigrationFiles files, DataSource ds) {
    return flyway.validate(files, ds);
  }

  @Override
  public List<PendingMigration> pending(MigrationFiles files, DataSource ds) {
    return flyway.pending(files, ds);
  }

  @Override
  public java.util.Optional<String> historyTable() {
    return flyway.historyTable();
  }

  @Override
  public MigrationSources discover(MigrationFiles files, DatabaseKind kind) {
    return flyway.discover(files, kind);
  }

  @Override
  public List<GuardArtifact> guardArtifacts(DatabaseSupport d) {
    return flyway.guardArtifacts(d);
  }

  @Override
  public EngineStatements statements(MigrationFile file, DatabaseKind kind) {
    return flyway.statements(file, kind);
  }

  @Override
  public Report migrate(MigrationFiles files, DataSource ds) {
    try (Connection approved = holdConnection ? ds.getConnection() : null) {
      inside.countDown();
      if (!release.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return flyway.migrate(files, ds);
  }
}
