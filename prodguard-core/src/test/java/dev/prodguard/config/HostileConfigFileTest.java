package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.contract.ContractLoader;
import dev.prodguard.testing.Configs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile prodguard.yml and contract files: deep nesting, huge scalars, devices and FIFOs end as a
 * configuration error naming the file (exit 2), never as a StackOverflowError, an OutOfMemoryError
 * or a hang. The timeouts only prove that each case finishes.
 */
@DisplayName("Hostile configuration files: depth, size and file-type limits")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileConfigFileTest {
  @TempDir Path dir;

  private static final String ENVS = "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n";

  private ConfigException configError(String yaml) {
    Throwable t = catchThrowable(() -> Configs.load(dir, yaml));
    assertThat(t).isInstanceOf(ConfigException.class);
    ConfigException e = (ConfigException) t;
    assertThat(e.file()).endsWith("prodguard.yml");
    return e;
  }

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  @Test
  @DisplayName(
      "a 10,000-deep flow sequence in prodguard.yml is a configuration error, not a stack overflow")
  void deepFlowSequence() {
    ConfigException e =
        configError(ENVS + "guards: " + repeat("[", 10_000) + repeat("]", 10_000) + "\n");
    assertThat(e.getMessage()).contains("nested more than 64 levels");
    assertThat(e.line()).isEqualTo(4);
  }

  @Test
  @DisplayName("a 10,000-deep flow mapping in prodguard.yml is a configuration error")
  void deepFlowMapping() {
    ConfigException e =
        configError(ENVS + "guards: " + repeat("{a: ", 10_000) + "1" + repeat("}", 10_000) + "\n");
    assertThat(e.getMessage()).contains("nested more than 64 levels");
  }

  @Test
  @DisplayName("deep block nesting (indentation) is refused the same way")
  void deepBlockNesting() {
    StringBuilder y = new StringBuilder(ENVS + "guards:\n");
    for (int i = 1; i <= 200; i++) {
      y.append(" ".repeat(i)).append("k").append(i).append(":\n");
    }
    y.append(" ".repeat(201)).append("v\n");
    assertThat(configError(y.toString()).getMessage()).contains("nested more than 64 levels");
  }

  @Test
  @DisplayName(
      "an unclosed 10,000-deep flow sequence in the contract is a configuration error naming it")
  void deepContract() {
    Path contract = dir.resolve("prodguard-contract.yml");
    Throwable t =
        catchThrowable(
            () ->
                ContractLoader.parse(
                    contract,
                    ("version: 1\nforbidden: " + repeat("[", 10_000))
                        .getBytes(StandardCharsets.UTF_8)));
    assertThat(t).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) t).file()).endsWith("prodguard-contract.yml");
    assertThat(t.getMessage()).contains("nested more than 64 levels");
  }

  @Test
  @DisplayName("a file over 1 MiB (one long scalar) is refused before parsing")
  void oneLongScalar() throws Exception {
    Path file = dir.resolve("prodguard.yml");
    Files.writeString(file, ENVS + "x: " + "a".repeat(5 * 1024 * 1024) + "\n");
    Throwable t = catchThrowable(() -> ConfigLoader.load(file));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("larger than 1 MiB");
    assertThat(((ConfigException) t).file()).isEqualTo(file.toString());
  }

  @Test
  @DisplayName(
      "one line over 64 KiB (a long scalar or comment under the size limit) is refused naming the"
          + " line: the YAML scanner is superlinear in line length")
  void longLine() {
    ConfigException e = configError(ENVS + "x: " + "a".repeat(1_000_000) + "\n");
    assertThat(e.getMessage()).contains("longer than 64 KiB");
    assertThat(e.line()).isEqualTo(4);
    ConfigException c = configError(ENVS + "# " + "a".repeat(100_000) + "\n");
    assertThat(c.line()).isEqualTo(4);
  }

  @Test
  @DisplayName(
      "a long multi-line value under both limits still parses (and is then an unknown key)")
  void longValueUnderTheLimits() {
    ConfigException e = configError(ENVS + "x: " + ("a".repeat(60) + "\n  ").repeat(15_000) + "\n");
    assertThat(e.getMessage()).doesNotContain("larger than").doesNotContain("longer than");
    assertThat(e.getMessage()).contains("'x'");
  }

  @Test
  @DisplayName("contract: /dev/zero is refused as not a regular file, before it is opened")
  void devZeroContract() throws Exception {
    Path zero = Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero));
    ProdguardConfig cfg = Configs.load(dir, ENVS + "contract: /dev/zero\n");
    Throwable t = catchThrowable(() -> ContractLoader.forConfig(cfg));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("not a regular file");
    assertThat(((ConfigException) t).file()).isEqualTo("/dev/zero");
  }

  @Test
  @DisplayName("a FIFO as prodguard.yml or as the contract is refused, not waited on")
  void fifo() throws Exception {
    Path fifo = dir.resolve("prodguard.yml");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    Throwable t = catchThrowable(() -> ConfigLoader.load(fifo));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("not a regular file");

    Path config = dir.resolve("other.yml");
    Files.writeString(config, ENVS + "contract: prodguard.yml\n");
    ProdguardConfig cfg = ConfigLoader.load(config);
    Throwable c = catchThrowable(() -> ContractLoader.forConfig(cfg));
    assertThat(c).isInstanceOf(ConfigException.class).hasMessageContaining("not a regular file");
    assertThat(((ConfigException) c).file()).isEqualTo(fifo.toString());
  }

  @Test
  @DisplayName("a contract over 1 MiB is refused naming the contract")
  void hugeContract() throws Exception {
    Path contract = dir.resolve("big.yml");
    Files.writeString(contract, "version: 1\n# " + "x".repeat(2 * 1024 * 1024) + "\n");
    ProdguardConfig cfg = Configs.load(dir, ENVS + "contract: big.yml\n");
    Throwable t = catchThrowable(() -> ContractLoader.forConfig(cfg));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("larger than 1 MiB");
    assertThat(((ConfigException) t).render()).contains("big.yml").contains("the contract");
  }
}
