package dev.prodguard.spring.it;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * An application's own DataSource bean (a HikariCP pool) that records every SQL text handed to the
 * driver through it, beneath whatever wraps the bean: what the database server received from this
 * application, statement by statement. Exposes {@code getJdbcUrl()} as pools do.
 */
public final class RecordingDataSource extends AbstractDataSource {
  public static final List<String> SQL = new CopyOnWriteArrayList<>();

  private final HikariDataSource pool = new HikariDataSource();

  public RecordingDataSource(String jdbcUrl) {
    pool.setJdbcUrl(jdbcUrl);
    pool.setMaximumPoolSize(2);
  }

  public String getJdbcUrl() {
    return pool.getJdbcUrl();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return record(pool.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return record(pool.getConnection(username, password));
  }

  public void close() {
    pool.close();
  }

  private static Connection record(Connection c) {
    return (Connection)
        Proxy.newProxyInstance(
            RecordingDataSource.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            handler(c));
  }

  private static InvocationHandler handler(Object target) {
    return (proxy, method, args) -> {
      String name = method.getName();
      if (args != null && args.length > 0 && args[0] instanceof String sql
          && (name.startsWith("execute") || name.startsWith("prepare") || name.equals("addBatch")
              || name.equals("nativeSQL"))) {
        SQL.add(sql);
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (result instanceof java.sql.Statement s && method.getReturnType().isInterface()) {
        return Proxy.newProxyInstance(
            RecordingDataSource.class.getClassLoader(),
            new Class<?>[] {method.getReturnType()},
            handler(s));
      }
      return result;
    };
  }
}
