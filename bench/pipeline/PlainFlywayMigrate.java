import org.flywaydb.core.Flyway;

/**
 * The baseline: plain {@code flyway migrate} through Flyway's Java API, default settings, the
 * same Flyway version and JDBC drivers as prodguard (both from the shaded jar).
 *
 * <p>Usage: {@code java -cp prodguard.jar:classes PlainFlywayMigrate JDBC_URL USER DIR [LEAVE]}:
 * with {@code LEAVE}, migrates up to the version that leaves the last {@code LEAVE} versioned
 * migrations pending (the benchmark's set-up of an existing database, untimed).
 */
public final class PlainFlywayMigrate {
  public static void main(String[] args) {
    var config =
        Flyway.configure().dataSource(args[0], args[1], "").locations("filesystem:" + args[2]);
    if (args.length > 3) {
      int leave = Integer.parseInt(args[3]);
      var versioned =
          java.util.Arrays.stream(config.load().info().pending())
              .filter(m -> m.getVersion() != null)
              .toList();
      var target = versioned.get(versioned.size() - leave - 1).getVersion();
      System.out.println("flyway target " + target + ", leaving " + leave + " pending");
      config = config.target(target);
    }
    var result = config.load().migrate();
    System.out.println("flyway applied " + result.migrationsExecuted + " migrations");
  }
}
