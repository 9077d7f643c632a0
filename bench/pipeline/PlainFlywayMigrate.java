import org.flywaydb.core.Flyway;

/**
 * The baseline: plain {@code flyway migrate} through Flyway's Java API, default settings, the
 * same Flyway version and JDBC drivers as prodguard (both from the shaded jar).
 *
 * <p>Usage: {@code java -cp prodguard.jar:classes PlainFlywayMigrate JDBC_URL USER DIR}
 */
public final class PlainFlywayMigrate {
  public static void main(String[] args) {
    var result =
        Flyway.configure()
            .dataSource(args[0], args[1], "")
            .locations("filesystem:" + args[2])
            .load()
            .migrate();
    System.out.println("flyway applied " + result.migrationsExecuted + " migrations");
  }
}
