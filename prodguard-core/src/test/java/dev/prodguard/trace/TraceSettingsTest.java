package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.RuleIds;
import dev.prodguard.testing.Configs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trace:} in prodguard.yml and in the contract: values, defaults, errors. */
@DisplayName("G4 trace settings: prodguard.yml trace.* and the contract's trace: limits")
class TraceSettingsTest {
  @TempDir Path dir;

  private static final String ENVS = "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n";

  private ProdguardConfig.Trace config(String trace) {
    return Configs.load(dir, ENVS + trace).trace();
  }

  private static Contract contract(String yaml) {
    return ContractLoader.parse(
        Path.of("prodguard-contract.yml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("prodguard.yml: verify protected by default, embedded scratch, Maven Central")
  void configDefaults() {
    ProdguardConfig.Trace t = config("");
    assertThat(t.verify()).isEqualTo(ProdguardConfig.TraceInVerify.PROTECTED);
    assertThat(t.inVerify(true)).isTrue();
    assertThat(t.inVerify(false)).isFalse();
    assertThat(t.scratch()).isEmpty();
    assertThat(t.binariesRepository().toString())
        .isEqualTo("https://repo.maven.apache.org/maven2/");
    assertThat(config("trace: { verify: on }\n").inVerify(false)).isTrue();
    assertThat(config("trace: { verify: off }\n").inVerify(true)).isFalse();
    assertThat(config("trace: { scratch: embedded }\n").scratch()).isEmpty();
    ProdguardConfig.Trace url =
        config(
            "trace:\n  scratch: ${TRACE_SCRATCH_URL}\n"
                + "  binaries-repository: https://nexus.internal/maven2\n");
    assertThat(url.scratch()).isPresent();
    assertThat(url.binariesRepository().toString()).isEqualTo("https://nexus.internal/maven2/");
  }

  @Test
  @DisplayName("prodguard.yml: bad trace values are errors naming the key and line")
  void configErrors() {
    ConfigException verify =
        catchThrowableOfType(ConfigException.class, () -> config("trace:\n  verify: yes-please\n"));
    assertThat(verify.key()).isEqualTo("trace.verify");
    assertThat(verify.line()).isEqualTo(5);
    assertThat(verify.getMessage()).contains("'protected'", "'on'", "'off'");
    ConfigException notUrl =
        catchThrowableOfType(ConfigException.class, () -> config("trace:\n  scratch: not a url\n"));
    assertThat(notUrl.key()).isEqualTo("trace.scratch");
    ConfigException secret =
        catchThrowableOfType(
            ConfigException.class,
            () -> config("trace:\n  binaries-repository: https://u:p@nexus.internal/maven2/\n"));
    assertThat(secret.key()).isEqualTo("trace.binaries-repository");
    assertThat(secret.getMessage()).doesNotContain("u:p");
    ConfigException unknown =
        catchThrowableOfType(ConfigException.class, () -> config("trace:\n  scratchh: x\n"));
    assertThat(unknown.getMessage()).contains("scratchh");
  }

  @Test
  @DisplayName(
      "contract: trace limits with units; defaults without the key; trace rule ids are known to"
          + " forbidden and exceptions")
  void contractLimits() {
    assertThat(contract("version: 1\n").trace()).isEqualTo(Contract.TraceLimits.DEFAULT);
    Contract c =
        contract(
            "version: 1\n"
                + "trace: { max-rewrite-size: 100MB, max-access-exclusive-size: 2GB,"
                + " access-exclusive-on-protected: false }\n"
                + "forbidden: [drop-table, trace-index-build-blocks-writes]\n"
                + "exceptions:\n"
                + "  - { migration: V3, rule: trace-table-rewrite, reason: reviewed }\n");
    assertThat(c.trace().maxRewriteBytes()).isEqualTo(100L << 20);
    assertThat(c.trace().maxAccessExclusiveBytes()).isEqualTo(OptionalLong.of(2L << 30));
    assertThat(c.trace().accessExclusiveOnProtected()).isFalse();
    assertThat(c.forbidden()).contains("trace-index-build-blocks-writes");
    assertThat(RuleIds.all()).containsAll(TraceFindings.RULES);
    assertThat(RuleIds.trace()).containsExactlyElementsOf(TraceFindings.RULES);

    TracePolicy onProtected = TracePolicy.of(c, true);
    assertThat(onProtected.forbidden()).containsExactly("trace-index-build-blocks-writes");
    assertThat(TracePolicy.of(c, false).forbidden()).isEmpty();
  }

  @Test
  @DisplayName("contract: a bad size or an unknown trace rule is an error naming the line")
  void contractErrors() {
    ConfigException size =
        catchThrowableOfType(
            ConfigException.class, () -> contract("version: 1\ntrace:\n  max-rewrite-size: big\n"));
    assertThat(size.line()).isEqualTo(3);
    assertThat(size.getMessage()).contains("500MB");
    ConfigException rule =
        catchThrowableOfType(
            ConfigException.class, () -> contract("version: 1\nforbidden: [trace-everything]\n"));
    assertThat(rule.getMessage())
        .contains("unknown rule 'trace-everything'", "trace-table-rewrite");
    ConfigException key =
        catchThrowableOfType(
            ConfigException.class, () -> contract("version: 1\ntrace: { max-size: 1GB }\n"));
    assertThat(key.getMessage()).contains("max-size");
  }
}
