package dev.prodguard.spring.boot3;

import dev.prodguard.spring.ProdguardStatus;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Spring Boot 3's health indicator (package {@code org.springframework.boot.actuate.health}): up
 * when the fingerprint holds, with the {@link ProdguardStatus} as details.
 */
public final class Boot3HealthIndicator extends AbstractHealthIndicator {
  private final ProdguardStatus status;

  public Boot3HealthIndicator(ProdguardStatus status) {
    super("prodguard health check failed");
    this.status = status;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ProdguardStatus.Report r = status.read();
    (r.up() ? builder.up() : builder.down()).withDetails(r.details());
  }
}
