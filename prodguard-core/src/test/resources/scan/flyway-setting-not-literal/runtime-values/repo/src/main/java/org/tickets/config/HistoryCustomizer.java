package org.tickets.config;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;

class HistoryCustomizer implements FlywayConfigurationCustomizer {
  private final String tenant;
  private final Callback audit;

  HistoryCustomizer(String tenant, Callback audit) {
    this.tenant = tenant;
    this.audit = audit;
  }

  @Override
  public void customize(FluentConfiguration configuration) {
    configuration.schemas(tenant).callbacks(audit);
  }

  FlywayConfigurationCustomizer lambda() {
    return c -> c.baselineVersion(tenant + ".0");
  }
}
