package dev.prodguard.spring;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** {@code /actuator/info}: the {@link ProdguardStatus} under {@code prodguard}. */
final class ProdguardInfoContributor implements InfoContributor {
  private final ProdguardStatus status;

  ProdguardInfoContributor(ProdguardStatus status) {
    this.status = status;
  }

  @Override
  public void contribute(Info.Builder builder) {
    builder.withDetail("prodguard", status.read().details());
  }
}
