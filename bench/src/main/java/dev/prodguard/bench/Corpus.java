package dev.prodguard.bench;

import java.util.Random;

/**
 * Generated PostgreSQL migrations: the statement mix of real schemas (DDL, backfills, routines) and
 * data-seeding INSERTs. Deterministic for a seed.
 */
public final class Corpus {
  private Corpus() {}

  /** One migration-like chunk of about {@code statements} statements. */
  public static String migrations(int statements, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(statements * 90);
    for (int i = 0; i < statements; i++) {
      int t = i % 16;
      String table = "t" + r.nextInt(500);
      switch (t) {
        case 0 ->
            sb.append("CREATE TABLE IF NOT EXISTS ")
                .append(table)
                .append("_")
                .append(i)
                .append(
                    " (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz"
                        + " DEFAULT now(), note text);\n");
        case 1 ->
            sb.append("ALTER TABLE ")
                .append(table)
                .append(" ADD COLUMN c")
                .append(i)
                .append(" integer DEFAULT 0;\n");
        case 2 ->
            sb.append("CREATE INDEX CONCURRENTLY IF NOT EXISTS ")
                .append(table)
                .append("_idx")
                .append(i)
                .append(" ON ")
                .append(table)
                .append(" (created_at);\n");
        case 3 ->
            sb.append("UPDATE ")
                .append(table)
                .append(" SET note = 'n;")
                .append(i)
                .append("' WHERE id BETWEEN ")
                .append(i)
                .append(" AND ")
                .append(i + 1000)
                .append(";\n");
        case 4 ->
            sb.append("-- backfill ")
                .append(i)
                .append(" (it's safe; see ticket)\n")
                .append("DELETE FROM ")
                .append(table)
                .append(" WHERE created_at < now() - interval" + " '90 days';\n");
        case 5 ->
            sb.append("CREATE OR REPLACE FUNCTION f")
                .append(i)
                .append(
                    "() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at :="
                        + " now();\n  RETURN NEW;\nEND;\n$$;\n");
        case 6 ->
            sb.append("ALTER TABLE ")
                .append(table)
                .append(" ADD CONSTRAINT ")
                .append(table)
                .append("_fk")
                .append(i)
                .append(" FOREIGN KEY (owner_id) REFERENCES users (id)" + " NOT VALID;\n");
        case 7 ->
            sb.append("COMMENT ON COLUMN ")
                .append(table)
                .append(".note IS 'free text; may" + " contain \"quotes\"';\n");
        case 8 ->
            sb.append("ALTER TABLE ")
                .append(table)
                .append(" VALIDATE CONSTRAINT ")
                .append(table)
                .append("_fk")
                .append(i - 2)
                .append(";\n");
        case 9 ->
            sb.append("CREATE VIEW v")
                .append(i)
                .append(" AS SELECT id, name FROM ")
                .append(table)
                .append(" WHERE note IS NOT NULL;\n");
        case 10 ->
            sb.append("/* seed */ INSERT INTO ")
                .append(table)
                .append(" (id, name, note) VALUES (")
                .append(i)
                .append(", 'name ")
                .append(i)
                .append("', E'line\\n")
                .append(i)
                .append("');\n");
        case 11 ->
            sb.append("ALTER TABLE ")
                .append(table)
                .append(" ALTER COLUMN note SET DEFAULT" + " '';\n");
        case 12 ->
            sb.append("DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood")
                .append(i)
                .append("') THEN CREATE TYPE mood")
                .append(i)
                .append(" AS ENUM ('a', 'b'); END IF; END $do$;\n");
        case 13 -> sb.append("GRANT SELECT ON ").append(table).append(" TO reporting;\n");
        case 14 ->
            sb.append("INSERT INTO ")
                .append(table)
                .append(
                    " (id, name) SELECT g, 'x' || g FROM"
                        + " generate_series(1, 100) g ON CONFLICT DO NOTHING;\n");
        default ->
            sb.append("SELECT setval('")
                .append(table)
                .append("_id_seq', (SELECT max(id) FROM ")
                .append(table)
                .append("));\n");
      }
    }
    return sb.toString();
  }

  /** A data-seeding file of about {@code bytes}: many INSERTs, some with many rows. */
  public static String seeding(long bytes) {
    StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, bytes + 256));
    long i = 0;
    while (sb.length() < bytes) {
      if (i % 50 == 0) {
        sb.append("INSERT INTO seed (id, name, payload) VALUES\n");
        for (int k = 0; k < 200; k++) {
          sb.append(k == 0 ? "  (" : ", (")
              .append(i * 1000 + k)
              .append(", 'row ")
              .append(k)
              .append(";', '{\"a\": [1, 2, 3]}')\n");
        }
        sb.append(";\n");
      } else {
        sb.append("INSERT INTO seed (id, name, payload) VALUES (")
            .append(i)
            .append(", 'it''s ")
            .append(i)
            .append("', $$x;y$$);\n");
      }
      i++;
    }
    return sb.toString();
  }
}
