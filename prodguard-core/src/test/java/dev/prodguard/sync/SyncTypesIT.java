package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values arrive as they left: every type in the issue, inserted and updated from dev to prod, then
 * compared on both sides by the database itself (not by prodguard's own reading), and reverted.
 */
@DisplayName("sync: types are carried faithfully")
class SyncTypesIT {
  @TempDir Path dir;

  private static final String PG_TABLE =
      "CREATE TABLE kinds (id bigint PRIMARY KEY, n numeric(38,18), nn numeric, f8 double"
          + " precision, f4 real, tstz timestamptz, ts timestamp, d date, tm time, iv interval,"
          + " j json, jb jsonb, ia integer[], ta text[], na numeric[], b bytea, s text,"
          + " vc varchar(20), u uuid, flag boolean)";

  private static final String PG_COLUMNS =
      "n, nn, f8, f4, tstz, ts, d, tm, iv, j, jb, ia, ta, na, b, s, vc, u, flag";

  /** What the database says each value is; bytea as hex, NULL as the string NULL. */
  private static final String PG_PROBE =
      "SELECT id, n::text, nn::text, f8::text, f4::text, extract(epoch from tstz)::text,"
          + " ts::text, d::text, tm::text, iv::text, j::text, jb::text, ia::text, ta::text,"
          + " na::text, encode(b, 'hex'), s, s IS NULL, vc, vc IS NULL, u::text, flag::text,"
          + " num_nonnulls(n, nn, f8, f4, tstz, ts, d, tm, iv, j, jb, ia, ta, na, b, s, vc, u,"
          + " flag) FROM kinds ORDER BY id";

  @Test
  @DisplayName(
      "sync: PostgreSQL numeric precision, timestamptz, json, jsonb, arrays, bytea and NULL vs"
          + " empty string round-trip exactly")
  void postgres() throws Exception {
    try (SyncFixture f = new SyncFixture(DatabaseKind.POSTGRESQL, dir, contract(PG_COLUMNS))) {
      f.both(PG_TABLE);
      // the source writes in its own time zone; sync must carry instants, not wall clocks
      f.dev.execute(
          "SET TIME ZONE 'Asia/Kolkata'",
          "INSERT INTO kinds VALUES (1, 12345678901234567890.123456789012345678, 1.50, 0.1,"
              + " 0.1, '2024-03-31 02:30:00.123456+02', '1999-12-31 23:59:59.999999',"
              + " '0044-03-15 BC', '23:59:59.999999', '1 year 2 mons 3 days 04:05:06.789',"
              + " '{\"b\": 1,  \"a\": [1, 2.50]}', '{\"z\": [1, {\"y\": null}], \"a\": \"é\"}',"
              + " '{1,NULL,3}', '{\"a b\",\"\",NULL,\"\\\"q\\\"\"}', '{1.10,2.200}',"
              + " (SELECT string_agg(set_byte('\\x00'::bytea, 0, i), ''::bytea ORDER BY i)"
              + " FROM generate_series(0, 255) i), '', NULL,"
              + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true)",
          "INSERT INTO kinds (id) VALUES (2)",
          "INSERT INTO kinds VALUES (3, -0.000000000000000001, 'NaN', 'Infinity', '-0',"
              + " 'infinity', '2024-10-27 02:30:00', '2024-02-29', '00:00', '-1 day',"
              + " '[]', '[]', '{}', '{}', '{}', '\\x', E'line1\\nline2 \\t ünïcödé 😀',"
              + " '', NULL, false)");
      // prod has older values for 1 and 3, nothing for 2, and a row dev does not have
      f.prod.execute(
          "INSERT INTO kinds (id, n, s, vc, b) VALUES (1, 1, 'old', 'old', '\\xdead')",
          "INSERT INTO kinds (id, s, vc) VALUES (3, NULL, '')",
          "INSERT INTO kinds (id, j, ia) VALUES (4, '{\"x\": 1}', '{4}')");
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, PG_PROBE);

      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "kinds").applying())
              .applied()
              .orElseThrow();

      assertThat(a.counts().get("kinds")).containsExactly(1L, 2L, 1L);
      assertThat(SyncFixture.rows(f.prod, PG_PROBE)).isEqualTo(SyncFixture.rows(f.dev, PG_PROBE));
      // and the exact text of the json (not jsonb) column, whitespace included
      assertThat(SyncFixture.rows(f.prod, "SELECT j::text FROM kinds WHERE id = 1"))
          .containsExactly(List.of("{\"b\": 1,  \"a\": [1, 2.50]}"));
      // a second plan finds nothing left to do
      assertThat(f.sync().run(Sync.Request.dryRun("dev", "prod", "kinds")).plan().changes())
          .isZero();

      f.sync().revert(a.runId(), "prod");
      assertThat(SyncFixture.rows(f.prod, PG_PROBE)).isEqualTo(prodBefore);
    }
  }

  private static final String MARIADB_TABLE =
      "CREATE TABLE kinds (id BIGINT PRIMARY KEY, n DECIMAL(65,30), f DOUBLE, dt DATETIME(6),"
          + " ts TIMESTAMP(6) NULL DEFAULT NULL, d DATE, tm TIME(6), j JSON, b BLOB,"
          + " vb VARBINARY(64), s VARCHAR(100), tx TEXT, e ENUM('a','b'), bits BIT(8))"
          + " DEFAULT CHARSET=utf8mb4";

  private static final String MARIADB_COLUMNS = "n, f, dt, ts, d, tm, j, b, vb, s, tx, e, bits";

  private static final String MARIADB_PROBE =
      "SELECT id, CAST(n AS CHAR), CAST(f AS CHAR), CAST(dt AS CHAR), UNIX_TIMESTAMP(ts),"
          + " CAST(d AS CHAR), CAST(tm AS CHAR), j, HEX(b), HEX(vb), s, s IS NULL, tx,"
          + " tx IS NULL, e, HEX(bits), (n IS NULL) + (f IS NULL) + (dt IS NULL) + (ts IS NULL)"
          + " + (d IS NULL) + (tm IS NULL) + (j IS NULL) + (b IS NULL) + (vb IS NULL)"
          + " FROM kinds ORDER BY id";

  @Test
  @DisplayName(
      "sync: MariaDB decimal precision, timestamps with time zones, JSON, blobs and NULL vs"
          + " empty string round-trip exactly")
  void mariadb() throws Exception {
    try (SyncFixture f = new SyncFixture(DatabaseKind.MARIADB, dir, contract(MARIADB_COLUMNS))) {
      f.both(MARIADB_TABLE);
      f.dev.execute(
          "SET time_zone = '+05:30'",
          "INSERT INTO kinds VALUES (1, 12345678901234567890.123456789012345678901234567890, 0.1,"
              + " '1999-12-31 23:59:59.999999', '2024-03-31 02:30:00.123456', '1000-01-01',"
              + " '-838:59:59.000000', '{\"b\": 1,  \"a\": [1, 2.50]}',"
              + " (SELECT UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR ''))"
              + " FROM seq_0_to_255), UNHEX('00FF00'), '', NULL, 'b', b'10100101')",
          "INSERT INTO kinds (id) VALUES (2)",
          "INSERT INTO kinds VALUES (3, -0.000000000000000000000000000001, 1e300,"
              + " '2024-10-27 02:30:00', '2038-01-19 03:14:07.999999', '9999-12-31', '00:00:00',"
              + " '[]', '', '', 'line1\\nline2 \\t ünïcödé 😀', '', 'a', b'0')");
      f.prod.execute(
          "INSERT INTO kinds (id, n, s, tx, b) VALUES (1, 1, 'old', 'old', UNHEX('DEAD'))",
          "INSERT INTO kinds (id, s, tx) VALUES (3, NULL, NULL)",
          "INSERT INTO kinds (id, j) VALUES (4, '{\"x\": 1}')");
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, MARIADB_PROBE);

      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "kinds").applying())
              .applied()
              .orElseThrow();

      assertThat(a.counts().get("kinds")).containsExactly(1L, 2L, 1L);
      assertThat(SyncFixture.rows(f.prod, MARIADB_PROBE))
          .isEqualTo(SyncFixture.rows(f.dev, MARIADB_PROBE));
      assertThat(f.sync().run(Sync.Request.dryRun("dev", "prod", "kinds")).plan().changes())
          .isZero();

      f.sync().revert(a.runId(), "prod");
      assertThat(SyncFixture.rows(f.prod, MARIADB_PROBE)).isEqualTo(prodBefore);
    }
  }

  @Test
  @DisplayName(
      "G4 sync: MariaDB FLOAT (6 digits in the text protocol), FLOAT(M,D), FLOAT UNSIGNED and"
          + " DOUBLE arrive exactly, values that print alike are not equal, and a revert restores"
          + " them (attacker 23/03)")
  void mariadbFloatingPointIsExact() throws Exception {
    try (SyncFixture f =
        new SyncFixture(DatabaseKind.MARIADB, dir, contract("f, fmd, fu, dbl", "prices"))) {
      f.both(
          "CREATE TABLE prices (id int PRIMARY KEY, f FLOAT NOT NULL, fmd FLOAT(9,2),"
              + " fu FLOAT UNSIGNED, dbl DOUBLE)");
      String probe =
          "SELECT id, CAST(f AS DOUBLE), CAST(fmd AS DOUBLE), CAST(fu AS DOUBLE),"
              + " CAST(dbl AS DOUBLE) FROM prices ORDER BY id";
      f.dev.execute(
          "INSERT INTO prices VALUES (1, 1234567.875, 1234567.88, 16777216, 0.1e0 + 0.2e0),"
              + " (2, 5, 5, 5, 5), (3, 1234567.875, 0.1, 0.1, 2e0 / 3e0)");
      // row 3 differs from the source only beyond the text protocol's 6 digits
      f.prod.execute(
          "INSERT INTO prices VALUES (2, 16777216, 16777.22, 16777217, 1e300),"
              + " (3, 1234570, 0.1, 0.1, 2e0 / 3e0)");
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, probe);

      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "prices").applying())
              .applied()
              .orElseThrow();

      assertThat(a.counts().get("prices")).containsExactly(1L, 2L, 0L);
      assertThat(SyncFixture.rows(f.prod, probe)).isEqualTo(SyncFixture.rows(f.dev, probe));
      assertThat(f.sync().run(Sync.Request.dryRun("dev", "prod", "prices")).plan().changes())
          .isZero();

      f.sync().revert(a.runId(), "prod");
      assertThat(SyncFixture.rows(f.prod, probe)).isEqualTo(prodBefore);
      assertThat(SyncFixture.rows(f.prod, "SELECT CAST(f AS DOUBLE) FROM prices WHERE id = 2"))
          .containsExactly(List.of("16777216"));
    }
  }

  @Test
  @DisplayName(
      "G4 sync: PostgreSQL real and double precision arrive exactly and revert, whatever the"
          + " server's extra_float_digits")
  void postgresFloatingPointIsExact() throws Exception {
    try (SyncFixture f =
        new SyncFixture(DatabaseKind.POSTGRESQL, dir, contract("f4, f8", "prices"))) {
      f.both("CREATE TABLE prices (id int PRIMARY KEY, f4 real, f8 double precision)");
      // the stored bits, whatever the session's extra_float_digits
      String probe =
          "SELECT id, encode(float4send(f4), 'hex'), encode(float8send(f8), 'hex') FROM prices"
              + " ORDER BY id";
      f.dev.execute(
          "INSERT INTO prices VALUES (1, 1234567.875, 0.1::float8 + 0.2::float8),"
              + " (2, 5, 5), (3, 1234567.875, 2::float8 / 3)");
      f.prod.execute("INSERT INTO prices VALUES (2, 16777216, 1e300), (3, 1234570, 2::float8 / 3)");
      // a database whose default hides digits must not change what is carried
      f.prod.execute("ALTER DATABASE " + f.prod.name() + " SET extra_float_digits = -15");
      f.dev.execute("ALTER DATABASE " + f.dev.name() + " SET extra_float_digits = -15");
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, probe);

      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "prices").applying())
              .applied()
              .orElseThrow();

      assertThat(a.counts().get("prices")).containsExactly(1L, 2L, 0L);
      assertThat(SyncFixture.rows(f.prod, probe)).isEqualTo(SyncFixture.rows(f.dev, probe));
      f.sync().revert(a.runId(), "prod");
      assertThat(SyncFixture.rows(f.prod, probe)).isEqualTo(prodBefore);
    }
  }

  private static String contract(String columns) {
    return contract(columns, "kinds");
  }

  private static String contract(String columns, String table) {
    return """
    version: 1
    sync:
      %s: { key: [id], columns: [%s], delete: true, max-rows: 100 }
    """
        .formatted(table, columns);
  }
}
