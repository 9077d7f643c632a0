package dev.prodguard.spring.boot4;

import dev.prodguard.spring.ProdguardStatus;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Spring Boot 4's health indicator (package {@code org.springframework.boot.health.contributor}):
 * up when the fingerprint holds, with the {@link ProdguardStatus} as details.
 */
public final class Boot4HealthIndicator extends AbstractHealthIndicator {
  private final ProdguardStatus status;

  public Boot4HealthIndicator(ProdguardStatus status) {
    super("prodguard health check failed");
    this.status = status;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ProdguardStatus.Report r = status.read();
    (r.up() ? builder.up() : builder.down()).withDetails(r.details());
  }
}
