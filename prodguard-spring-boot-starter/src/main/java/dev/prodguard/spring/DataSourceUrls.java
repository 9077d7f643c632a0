package dev.prodguard.spring;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Reads the JDBC URL a DataSource will connect to, without connecting: the pool's own property
 * ({@code jdbcUrl} of HikariCP, {@code url} of Tomcat, DBCP2, Spring's driver data sources and the
 * PostgreSQL and MariaDB data sources), else the DataSource it delegates to ({@code dataSource} of
 * a pool configured with a data source class, {@code targetDataSource} of Spring's delegating data
 * sources). Null when none tells.
 */
final class DataSourceUrls {
  private static final List<String> URL_PROPERTIES = List.of("jdbcUrl", "url", "URL");
  private static final List<String> DELEGATE_PROPERTIES = List.of("dataSource", "targetDataSource");

  private DataSourceUrls() {}

  static String find(DataSource ds, ApplicationGuard.BeanWrapperFactory beans) {
    return find(ds, beans, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static String find(
      Object ds, ApplicationGuard.BeanWrapperFactory beans, Set<Object> seen) {
    if (ds == null || !seen.add(ds)) {
      return null;
    }
    for (String p : URL_PROPERTIES) {
      if (beans.read(ds, p) instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    for (String p : DELEGATE_PROPERTIES) {
      if (beans.read(ds, p) instanceof DataSource inner) {
        String url = find(inner, beans, seen);
        if (url != null) {
          return url;
        }
      }
    }
    return null;
  }
}
