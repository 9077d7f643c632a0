package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

public class V2__Backfill extends BaseJavaMigration {
  @Override
  public void migrate(Context context) {}
}
