package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.StatementProbe;
import dev.prodguard.support.StatementProbe.State;
import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4 trace: the catalog reads between replayed statements go in one round trip each and leave the
 * replay's session as the deploy's would be (its search path, its transaction), on real PostgreSQL.
 */
@DisplayName("G4 trace: the probe's one-round-trip reads leave the replayed session as it was")
class G4TraceProbeSessionIT {
  private TestDatabase db;
  private Connection c;
  private final StatementProbe probe =
      DatabaseSupport.of(DatabaseKind.POSTGRESQL).statementProbe().orElseThrow();

  @BeforeEach
  void open() throws SQLException {
    db = TestDatabase.postgres();
    c = DriverManager.getConnection(db.jdbcUrl());
    run("CREATE SCHEMA legacy", "CREATE TABLE public.t (id int)", "CREATE TABLE legacy.t (id int)");
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
    db.close();
  }

  private void run(String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private String one(String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  @DisplayName(
      "G4: a search path changed between two reads (session SET, then SET LOCAL in a"
          + " transaction) is the session's path after the next read, although that read's batch"
          + " put back the path the read before it saw; unqualified names resolve as the"
          + " migration set them")
  void searchPathChangedBetweenReadsHolds() throws SQLException {
    probe.state(c);
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("\"$user\", public");
    run("SET search_path = legacy, public");
    probe.state(c);
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("legacy, public");
    assertThat(one("SELECT 't'::regclass::oid = 'legacy.t'::regclass::oid")).isEqualTo("t");
    c.setAutoCommit(false);
    probe.state(c);
    run("SET LOCAL search_path = public");
    probe.state(c);
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("public");
    probe.perRowRoutines(c, List.of("public.t"));
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("public");
    c.commit();
    // SET LOCAL ended with the transaction: the session's own path again, as in the deploy
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("legacy, public");
    c.setAutoCommit(true);
    probe.state(c);
    assertThat(one("SELECT current_setting('search_path')")).isEqualTo("legacy, public");
  }

  @Test
  @DisplayName(
      "G4: the state read says whether anything deferrable exists, in any schema: none on a plain"
          + " schema; a deferrable constraint trigger of a temporary table counts")
  void deferrableReadInEverySchema() throws SQLException {
    State plain = probe.state(c);
    assertThat(plain.deferrable()).isFalse();
    run(
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "CREATE TEMPORARY TABLE warm (k text)",
        "CREATE CONSTRAINT TRIGGER warm_sync AFTER INSERT ON warm DEFERRABLE INITIALLY DEFERRED"
            + " FOR EACH ROW EXECUTE FUNCTION public.f()");
    assertThat(probe.state(c).deferrable()).isTrue();
    run("DROP TABLE warm", "ALTER TABLE public.t ADD CONSTRAINT u UNIQUE (id) DEFERRABLE");
    assertThat(probe.state(c).deferrable()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: a relation-name read that the server refuses inside a migration's transaction leaves"
          + " that transaction usable with its work kept, and no savepoint of the probe behind;"
          + " one that succeeds leaves no savepoint either")
  void namesReadKeepsTheTransaction() throws SQLException {
    c.setAutoCommit(false);
    run("INSERT INTO public.t VALUES (1)");
    assertThat(probe.relationsNamed(c, List.of("t")))
        .singleElement()
        .satisfies(r -> assertThat(r.schema()).isEqualTo("public"));
    assertThatThrownBy(() -> probe.relationsNamed(c, List.of("t", "a.b.c.d")))
        .isInstanceOf(SQLException.class);
    assertThat(one("SELECT count(*) FROM public.t")).isEqualTo("1");
    assertThatThrownBy(() -> run("ROLLBACK TO SAVEPOINT prodguard_probe_names"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("does not exist");
    c.rollback();
    assertThat(one("SELECT count(*) FROM public.t")).isEqualTo("0");
  }
}
