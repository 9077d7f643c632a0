package org.tickets.legacy;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

public final class V7__Direct
    implements JavaMigration {
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("7");
  }

  public String getDescription() {
    return "direct";
  }

  public Integer getChecksum() {
    return null;
  }

  public boolean isUndo() {
    return false;
  }

  public boolean isBaselineMigration() {
    return false;
  }

  public boolean canExecuteInTransaction() {
    return true;
  }

  public void migrate(Context context) {}
}
