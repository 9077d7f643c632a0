package dev.prodguard.testing;

import dev.prodguard.db.DatabaseKind;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension: a {@link TestDatabase} parameter gets a fresh database, dropped when the test
 * ends. Annotate the parameter with {@link OnMariaDb} for MariaDB; PostgreSQL otherwise. For a test
 * that runs on both, take a {@code DatabaseKind} from {@code @EnumSource} and call {@link
 * TestDatabase#create} in try-with-resources.
 */
public final class TestDatabases implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    DatabaseKind kind =
        p.isAnnotated(OnMariaDb.class) ? DatabaseKind.MARIADB : DatabaseKind.POSTGRESQL;
    TestDatabase db = TestDatabase.create(kind);
    e.getStore(ExtensionContext.Namespace.create(TestDatabases.class, p.getIndex()))
        .put("db", (ExtensionContext.Store.CloseableResource) db::close);
    return db;
  }
}
