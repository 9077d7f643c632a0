package dev.prodguard.spring;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Tells an in-memory embedded database, which lives inside the application's own process and so
 * cannot be any environment's database: H2 {@code jdbc:h2:mem:}, HSQLDB {@code jdbc:hsqldb:mem:},
 * Derby {@code jdbc:derby:memory:} (the URL forms of their drivers' documentation). Judged on the
 * URL of the DataSource Spring built (read as {@link DataSourceUrls} reads it, and inside Spring's
 * own {@code EmbeddedDatabase} proxy, which is what {@code @AutoConfigureTestDatabase} substitutes
 * and what Boot builds for an embedded database without a URL). A file or server mode ({@code
 * jdbc:h2:file:}, {@code jdbc:h2:tcp:}, {@code jdbc:hsqldb:hsql:}) is not in memory; a DataSource
 * whose URL cannot be read is not either (fail closed).
 */
final class EmbeddedDatabases {
  private static final List<String> IN_MEMORY_PREFIXES =
      List.of("jdbc:h2:mem:", "jdbc:hsqldb:mem:", "jdbc:derby:memory:");

  /** Spring's proxy over an embedded database (spring-jdbc), which has no URL property itself. */
  private static final String SPRING_EMBEDDED_PROXY =
      "org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseFactory$EmbeddedDataSourceProxy";

  /** Boot's property that makes a test substitute an embedded DataSource for the application's. */
  static final String TEST_REPLACE_PROPERTY = "spring.test.database.replace";

  private EmbeddedDatabases() {}

  /** Whether {@code url} names an in-memory database of H2, HSQLDB or Derby. */
  static boolean isInMemoryUrl(String url) {
    if (url == null) {
      return false;
    }
    String u = url.trim();
    return IN_MEMORY_PREFIXES.stream().anyMatch(u::startsWith);
  }

  /** The in-memory URL {@code ds} connects to, empty when it is anything else or cannot tell. */
  static Optional<String> inMemoryUrl(DataSource ds, ApplicationGuard.BeanWrapperFactory beans) {
    String url = DataSourceUrls.find(ds, beans);
    if (url == null && ds != null && ds.getClass().getName().equals(SPRING_EMBEDDED_PROXY)) {
      url = DataSourceUrls.find(proxied(ds), beans);
    }
    return isInMemoryUrl(url) ? Optional.of(url) : Optional.empty();
  }

  /** The URL as a log line may show it: its parameters (which may hold a password) left out. */
  static String shown(String url) {
    int cut = url.length();
    for (char c : new char[] {';', '?'}) {
      int i = url.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    return url.substring(0, cut);
  }

  /** Whether a test's {@code spring.test.database.replace} substitutes the DataSource. */
  static boolean testReplacesDataSource(String replace) {
    if (replace == null) {
      return false;
    }
    String r = replace.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    return r.equals("ANY") || r.equals("AUTO_CONFIGURED") || r.equals("NON_TEST");
  }

  private static DataSource proxied(DataSource proxy) {
    try {
      Field f = proxy.getClass().getDeclaredField("dataSource");
      f.setAccessible(true);
      return f.get(proxy) instanceof DataSource d ? d : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
