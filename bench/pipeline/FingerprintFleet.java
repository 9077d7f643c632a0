import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.fleet.FleetTargets;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.setup.FingerprintInit;
import java.nio.file.Path;

/**
 * Benchmark set-up only (not timed): what {@code prodguard init-fingerprint ID --fleet NAME} does
 * for every target of a fleet, in one JVM instead of one process per target; prints {@code id
 * fingerprint} lines.
 *
 * <p>Usage: {@code java -cp prodguard.jar:classes FingerprintFleet prodguard.yml FLEET}
 */
public final class FingerprintFleet {
  public static void main(String[] args) throws Exception {
    ProdguardConfig config = ConfigLoader.load(Path.of(args[0]));
    FleetConfig fleet = config.fleet(args[1]);
    RunContext context = RunContext.system();
    ProdguardConfig expanded =
        FleetTargets.asEnvironments(config, fleet, FleetTargets.resolve(config, fleet, context));
    for (FleetConfig.Target t : fleet.targets()) {
      Target target =
          Target.prepare(expanded, t.id(), context, Target.Access.MUTATE, "init-fingerprint");
      String fp =
          FingerprintInit.run(target, context, false, new FlywayMigrationEngine()).fingerprint();
      System.out.println(t.id() + " " + fp);
    }
  }
}
