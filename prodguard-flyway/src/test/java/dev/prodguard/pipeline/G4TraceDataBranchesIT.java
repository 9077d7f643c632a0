package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.trace.StatementTrace;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace on real PostgreSQL, where the empty copy takes another branch than the target (attack 19):
 * a routine called per row of what a statement reads runs zero times on the copy (finding 01), and
 * code that branches on a size, statistics, a scan the server does not count, the session or the
 * server takes the copy's branch (finding 02). Each is {@code trace-incomplete}; the idempotent
 * wrapper that branches on the catalog's schema objects stays a fact.
 */
@DisplayName("G4 trace: data branches the copy does not take as the target")
class G4TraceDataBranchesIT {
  @TempDir Path dir;

  private PipelineFixture f;

  @BeforeEach
  void target() throws Exception {
    f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE customers (id int PRIMARY KEY)",
        "INSERT INTO customers SELECT g FROM generate_series(0, 99) g",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, total numeric)",
        "INSERT INTO orders SELECT g, g % 100, g * 1.5 FROM generate_series(1, 20000) g",
        "CREATE TABLE settings (k text PRIMARY KEY, v text)",
        "INSERT INTO settings VALUES ('tokens', 'on')",
        "CREATE TABLE log (n int)",
        "ANALYZE customers",
        "ANALYZE orders",
        "ANALYZE settings",
        "ANALYZE log");
  }

  @AfterEach
  void close() {
    f.close();
  }

  private TraceReport trace() throws Exception {
    return new Tracer(f.config(), f.ci(), new FlywayMigrationEngine(), Progress.NONE)
        .trace("prod", Optional.empty());
  }

  private static List<Finding> incomplete(TraceReport r, String migration) {
    return r.findings().stream()
        // a finding names its migration by version (V2), a statement trace by file name
        .filter(x -> x.migration().equals(migration) || x.migration().startsWith(migration + "__"))
        .filter(x -> x.rule().equals("trace-incomplete"))
        .toList();
  }

  private static StatementTrace statement(TraceReport r, String migration) {
    return r.statements().stream()
        .filter(s -> s.migration().startsWith(migration + "__"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no trace of " + migration + ": " + r.statements()));
  }

  @Test
  @DisplayName(
      "G4 (attack 19 finding 01): a routine that alters a table, called per row of a table that"
          + " holds rows on the target (SELECT ... FROM, WHERE EXISTS, EXPLAIN ANALYZE, WITH,"
          + " INSERT ... SELECT, TABLE, VALUES), runs zero times on the empty copy:"
          + " trace-incomplete, naming the table")
  void routineCalledPerRow() throws Exception {
    f.migration(
        "V2__fn.sql",
        "CREATE FUNCTION touch_orders() RETURNS int LANGUAGE plpgsql AS $f$\n"
            + "BEGIN\n"
            + "  ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "  RETURN 1;\n"
            + "END $f$;\n");
    String[] forms = {
      "SELECT touch_orders() FROM settings WHERE k = 'tokens';",
      "SELECT touch_orders() WHERE EXISTS (SELECT 1 FROM settings);",
      "EXPLAIN ANALYZE SELECT touch_orders() FROM settings;",
      "WITH s AS (SELECT k FROM settings) SELECT touch_orders() FROM s;",
      "INSERT INTO log (n) SELECT touch_orders() FROM settings;",
      "SELECT touch_orders() FROM (TABLE settings) s;",
      "VALUES ((SELECT touch_orders() FROM settings LIMIT 1));"
    };
    for (int i = 0; i < forms.length; i++) {
      f.migration("V" + (i + 3) + "__form.sql", "-- per row of settings\n" + forms[i] + "\n");
    }

    TraceReport r = trace();

    for (int i = 0; i < forms.length; i++) {
      String v = "V" + (i + 3);
      assertThat(incomplete(r, v))
          .as(forms[i])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains(v + "__form.sql line 2", "public.settings", "1 rows");
              });
    }
    assertThat(r.incomplete()).isPresent();
    assertThat(r.blocking()).isTrue();
    // the definition itself is no call; a single call of it would be traced as usual
    assertThat(incomplete(r, "V2")).isEmpty();
  }

  @Test
  @DisplayName(
      "G4 (attack 19 finding 02): code that branches on a table's size, its statistics, a scan the"
          + " server does not count (TABLESAMPLE, TID), the session's user or database, the"
          + " server's version or a setting is trace-incomplete, naming what it read")
  void branchesOnWhatTheCopyDoesNotHold() throws Exception {
    String[][] conditions = {
      {"pg_relation_size('orders') > 0", "pg_relation_size"},
      {"pg_total_relation_size('orders') > 8192", "pg_total_relation_size"},
      {"(SELECT reltuples FROM pg_class WHERE relname = 'orders') > 0", "reltuples"},
      {
        "(SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'orders') > 0",
        "pg_stat_user_tables"
      },
      {"EXISTS (SELECT 1 FROM orders TABLESAMPLE SYSTEM (100))", "public.orders"},
      {"EXISTS (SELECT 1 FROM orders WHERE ctid = '(0,1)')", "ctid"},
      {"current_user = 'deployer'", "current_user"},
      {"current_database() = 'shop'", "current_database"},
      {"version() NOT LIKE '%PostgreSQL 1%'", "version"},
      {"current_setting('server_version_num')::int < 150000", "current_setting"},
      {"(SELECT setting FROM pg_settings WHERE name = 'max_connections')::int > 50", "pg_settings"}
    };
    for (int i = 0; i < conditions.length; i++) {
      f.migration(
          "V" + (i + 2) + "__branch.sql",
          "DO $$\nBEGIN\n  IF "
              + conditions[i][0]
              + " THEN\n    ALTER TABLE orders ADD COLUMN c"
              + i
              + " uuid DEFAULT gen_random_uuid();\n  END IF;\nEND $$;\n");
    }

    TraceReport r = trace();

    for (int i = 0; i < conditions.length; i++) {
      String v = "V" + (i + 2);
      String what = conditions[i][1];
      assertThat(incomplete(r, v))
          .as(conditions[i][0])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message()).contains(v + "__branch.sql line 1", what);
              });
    }
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: the idempotent wrapper that branches on the catalog's schema objects (pg_constraint,"
          + " information_schema.columns, duplicate_object) is replayed as the fact, with its"
          + " locks and validated constraint (its validation scans orders: what the branch does,"
          + " not what it reads); a single call of a routine that alters a table too")
  void catalogBranchesStayFacts() throws Exception {
    f.migration(
        "V2__fk.sql",
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname ="
            + " 'orders_customer_fk') THEN\n    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk"
            + " FOREIGN KEY (customer_id) REFERENCES customers(id);\n  END IF;\n"
            + "END $$;\n");
    f.migration(
        "V3__column.sql",
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE"
            + " table_schema = current_schema() AND table_name = 'orders' AND column_name ="
            + " 'note') THEN\n    ALTER TABLE orders ADD COLUMN note text;\n  END IF;\nEND $$;\n");
    f.migration(
        "V4__type.sql",
        "DO $$\nBEGIN\n  CREATE TYPE mood AS ENUM ('ok', 'sad');\nEXCEPTION WHEN duplicate_object"
            + " THEN NULL;\nEND $$;\n");
    f.migration(
        "V5__once.sql",
        "CREATE FUNCTION add_flag() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN"
            + " ALTER TABLE orders ADD COLUMN flag boolean; END $f$;\nSELECT add_flag();\n");

    TraceReport r = trace();

    assertThat(r.findings()).noneMatch(x -> x.rule().equals("trace-incomplete"));
    assertThat(r.incomplete()).isEmpty();
    assertThat(statement(r, "V2").lockOn("public.orders")).isEqualTo("ShareRowExclusiveLock");
    assertThat(statement(r, "V2").constraintsAdded())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.name()).isEqualTo("orders_customer_fk");
              assertThat(k.validated()).isTrue();
            });
    assertThat(statement(r, "V3").lockOn("public.orders")).isEqualTo("AccessExclusiveLock");
    assertThat(r.statements().stream().filter(s -> s.migration().startsWith("V5__")))
        .anyMatch(s -> "AccessExclusiveLock".equals(s.lockOn("public.orders")));
  }

  @Test
  @DisplayName(
      "G4 (attacker 06): a table a pending migration fills from the target's rows (CREATE TABLE"
          + " AS, INSERT ... SELECT, SELECT ... INTO, through another such table), from a view or"
          + " from a routine holds rows on the target and none on the copy: code that branches on"
          + " it is trace-incomplete, naming what it was filled from; a table filled from"
          + " constants, or from a table empty on the target, stays a traced fact")
  void tableFilledFromTheTargetsRows() throws Exception {
    String branch =
        "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM %s) THEN\n    ALTER TABLE orders ADD COLUMN"
            + " %s_hit int;\n  END IF;\nEND $$;\n";
    String[][] filled = {
      {"t_ctas", "CREATE TABLE t_ctas AS SELECT id FROM orders;\n", "public.orders"},
      {
        "t_ins",
        "CREATE TABLE t_ins (id bigint);\nINSERT INTO t_ins SELECT id FROM orders WHERE total >"
            + " 0;\n",
        "public.orders"
      },
      {"t_into", "SELECT id INTO t_into FROM orders;\n", "public.orders"},
      {"t_chain", "CREATE TABLE t_chain AS SELECT id FROM t_ins;\n", "public.orders"},
      {
        "t_view",
        "CREATE VIEW orders_v AS SELECT id FROM orders;\nCREATE TABLE t_view AS SELECT id FROM"
            + " orders_v;\n",
        "orders_v"
      },
      {
        "t_fn",
        "CREATE FUNCTION order_ids() RETURNS SETOF bigint LANGUAGE sql AS $f$ SELECT id FROM"
            + " orders $f$;\nCREATE TABLE t_fn AS SELECT * FROM order_ids() x;\n",
        "order_ids()"
      }
    };
    for (int i = 0; i < filled.length; i++) {
      f.migration(
          "V" + (i + 2) + "__filled.sql",
          filled[i][1] + String.format(branch, filled[i][0], filled[i][0]));
    }
    f.migration(
        "V8__constants.sql",
        "CREATE TABLE t_const (n int);\nINSERT INTO t_const VALUES (1), (2);\n"
            + String.format(branch, "t_const", "t_const"));
    f.migration(
        "V9__empty_on_target.sql",
        "CREATE TABLE t_log AS SELECT n FROM log;\n" + String.format(branch, "t_log", "t_log"));

    TraceReport r = trace();

    for (int i = 0; i < filled.length; i++) {
      String v = "V" + (i + 2);
      String[] form = filled[i];
      assertThat(incomplete(r, v))
          .as(form[1])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains(
                        "public." + form[0], "which a pending migration filled from", form[2]);
              });
    }
    assertThat(incomplete(r, "V2").get(0).message()).contains("20.0 k rows");
    assertThat(r.blocking()).isTrue();
    // filled from constants, or from a table that is empty on the target: the copy holds what the
    // target will hold, so the branch the copy took (it altered orders) is the fact
    assertThat(incomplete(r, "V8")).isEmpty();
    assertThat(incomplete(r, "V9")).isEmpty();
    assertThat(r.statements().stream().filter(s -> s.migration().startsWith("V8__")))
        .anyMatch(s -> "AccessExclusiveLock".equals(s.lockOn("public.orders")));
  }

  @Test
  @DisplayName(
      "G4 (attacker 10): a routine that writes, reached without being named, per row of a table"
          + " that holds rows on the target (through an operator, a cast, a row trigger of the"
          + " table written, a column default, a generated column), runs zero times on the empty"
          + " copy: trace-incomplete, naming the table and the path; the same paths fed from"
          + " constants, and a trigger that only sets a value, stay facts")
  void routinesReachedPerRowWithoutTheirName() throws Exception {
    f.migration(
        "V2__paths.sql",
        "CREATE FUNCTION log_it(n int) RETURNS int LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO log"
            + " VALUES (n); RETURN n; END $f$;\n"
            + "CREATE FUNCTION log_eq(a int, b int) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
            + " INSERT INTO log VALUES (a); RETURN a = b; END $f$;\n"
            + "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = log_eq);\n"
            + "CREATE TYPE tag AS (v text);\n"
            + "CREATE FUNCTION to_tag(n int) RETURNS tag LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO"
            + " log VALUES (n); RETURN ROW(n::text)::tag; END $f$;\n"
            + "CREATE CAST (int AS tag) WITH FUNCTION to_tag(int);\n"
            + "CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO"
            + " log VALUES (NEW.n); RETURN NEW; END $f$;\n"
            + "CREATE TABLE audited (n int);\n"
            + "CREATE TRIGGER audit_row BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION"
            + " audit_row();\n"
            + "CREATE FUNCTION stamp_row() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN NEW.n :="
            + " NEW.n + 1; RETURN NEW; END $f$;\n"
            + "CREATE TABLE stamped (n int);\n"
            + "CREATE TRIGGER stamp_row BEFORE INSERT ON stamped FOR EACH ROW EXECUTE FUNCTION"
            + " stamp_row();\n"
            + "CREATE TABLE defaulted (id int, n int DEFAULT log_it(0));\n"
            + "CREATE FUNCTION same(n int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $f$ BEGIN"
            + " RETURN log_it(n); END $f$;\n"
            + "CREATE TABLE generated (id int, n int GENERATED ALWAYS AS (same(id)) STORED);\n");
    String[][] forms = {
      {"SELECT count(*) FROM customers WHERE id === 1;", "operator ==="},
      {"SELECT id::tag FROM customers;", "cast integer AS public.tag"},
      {"INSERT INTO audited SELECT id FROM customers;", "row trigger audit_row on public.audited"},
      {"INSERT INTO defaulted (id) SELECT id FROM customers;", "public.defaulted.n"},
      {"INSERT INTO generated (id) SELECT id FROM customers;", "public.generated.n"}
    };
    for (int i = 0; i < forms.length; i++) {
      f.migration("V" + (i + 3) + "__path.sql", forms[i][0] + "\n");
    }
    f.migration(
        "V8__constants.sql",
        "INSERT INTO audited VALUES (1);\nINSERT INTO defaulted (id) VALUES (1);\n"
            + "INSERT INTO stamped SELECT id FROM customers;\n");

    TraceReport r = trace();

    for (int i = 0; i < forms.length; i++) {
      String v = "V" + (i + 3);
      String[] form = forms[i];
      assertThat(incomplete(r, v))
          .as(form[0])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains("public.customers", "100 rows", "per row of which", form[1]);
              });
    }
    assertThat(incomplete(r, "V2")).isEmpty();
    assertThat(incomplete(r, "V8")).isEmpty();
  }

  private static final String ADD_TOKEN =
      "CREATE FUNCTION add_token() RETURNS void LANGUAGE plpgsql AS $f$\n"
          + "BEGIN ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid(); END $f$;\n";

  @Test
  @DisplayName(
      "G4 (attack 20 finding 02): a branch on the target's rows that reaches DDL through a routine"
          + " with a SQL-standard body (LANGUAGE sql BEGIN ATOMIC ... END, RETURN expr: pg_proc's"
          + " prosrc is empty) is trace-incomplete, its body read and its calls followed")
  void routinesWithSqlStandardBodiesAreFollowed() throws Exception {
    f.migration(
        "V2__fn.sql",
        ADD_TOKEN
            + "CREATE FUNCTION maintain() RETURNS int LANGUAGE sql\n"
            + "BEGIN ATOMIC SELECT add_token(); SELECT 1; END;\n"
            + "CREATE FUNCTION maintain_expr() RETURNS int LANGUAGE sql"
            + " RETURN (SELECT 1 FROM (SELECT add_token()) x);\n");
    f.migration(
        "V3__atomic.sql",
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM orders) THEN PERFORM maintain(); END IF; END $$;\n");
    f.migration(
        "V4__return.sql",
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM orders) THEN PERFORM maintain_expr(); END IF;"
            + " END $$;\n");

    TraceReport r = trace();

    for (String v : List.of("V3", "V4")) {
      assertThat(incomplete(r, v))
          .as(v)
          .singleElement()
          .satisfies(x -> assertThat(x.message()).contains("public.orders", "20.0 k rows"));
    }
    assertThat(r.blocking()).isTrue();
  }

  @Test
  @DisplayName(
      "G4 (attack 20 finding 05): a routine named like a word PostgreSQL does not reserve (filter,"
          + " key, system, index, zone) is followed as a call: a branch on the target's rows that"
          + " reaches DDL through it is trace-incomplete; the keywords themselves stay no call")
  void routinesNamedLikeKeywordsAreFollowed() throws Exception {
    String[] names = {"filter", "key", "system", "index", "zone"};
    StringBuilder fns = new StringBuilder();
    for (String n : names) {
      fns.append("CREATE FUNCTION ")
          .append(n)
          .append("() RETURNS int LANGUAGE plpgsql AS $f$\nBEGIN ALTER TABLE orders ADD COLUMN t_")
          .append(n)
          .append(" uuid DEFAULT gen_random_uuid(); RETURN 1; END $f$;\n");
    }
    f.migration("V2__fn.sql", fns.toString());
    for (int i = 0; i < names.length; i++) {
      f.migration(
          "V" + (i + 3) + "__kw.sql",
          "DO $$ BEGIN IF EXISTS (SELECT 1 FROM orders) THEN PERFORM "
              + names[i]
              + "(); END IF; END $$;\n");
    }
    // a keyword no user routine is named like stays a keyword: a branch on the catalog's schema
    // objects that builds an index with INCLUDE (...) is a fact
    f.migration(
        "V8__words.sql",
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'orders_cust') THEN"
            + " CREATE INDEX orders_cust ON orders (customer_id) INCLUDE (total); END IF;"
            + " END $$;\n");

    TraceReport r = trace();

    for (int i = 0; i < names.length; i++) {
      String v = "V" + (i + 3);
      assertThat(incomplete(r, v))
          .as(names[i] + "()")
          .singleElement()
          .satisfies(x -> assertThat(x.message()).contains("public.orders", "20.0 k rows"));
    }
    assertThat(incomplete(r, "V8")).isEmpty();
  }

  @Test
  @DisplayName(
      "G4 (attack 20 finding 06): the relations a branch reads are resolved as the statement saw"
          + " them when it started: a block that hides them after its read (SET LOCAL search_path)"
          + " or whose copy's branch renames or drops the table it tested is trace-incomplete")
  void readsResolvedAsTheStatementSawThem() throws Exception {
    f.migration(
        "V9__path.sql",
        "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM orders) THEN\n"
            + "    ALTER TABLE public.orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "  END IF;\n  SET LOCAL search_path = pg_toast;\nEND $$;\n");
    f.migration(
        "V2__rename.sql",
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM customers) THEN\n"
            + "    ALTER TABLE customers RENAME TO customers_empty;\n  ELSE\n"
            + "    ALTER TABLE customers ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "  END IF;\nEND $$;\n");
    f.migration(
        "V3__drop.sql",
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM settings) THEN\n"
            + "    DROP TABLE settings;\n  ELSE\n"
            + "    ALTER TABLE orders ADD COLUMN tag uuid DEFAULT gen_random_uuid();\n"
            + "  END IF;\nEND $$;\n");

    TraceReport r = trace();

    assertThat(incomplete(r, "V2"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("public.customers", "100 rows"));
    assertThat(incomplete(r, "V3"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("public.settings", "1 rows"));
    assertThat(incomplete(r, "V9"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("public.orders", "20.0 k rows"));
  }

  @Test
  @DisplayName(
      "G4 (security review, finding 2): a routine called in attribute notation (s.purge,"
          + " settings.purge, (s).purge) runs per row of a table that holds rows on the target,"
          + " zero times on the empty copy: trace-incomplete, naming the table")
  void routineCalledInAttributeNotation() throws Exception {
    f.migration(
        "V2__fn.sql",
        "CREATE FUNCTION purge(settings) RETURNS int LANGUAGE plpgsql AS $f$\n"
            + "BEGIN\n"
            + "  ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "  RETURN 1;\n"
            + "END $f$;\n");
    String[] forms = {
      "SELECT s.purge FROM settings s;",
      "SELECT settings.purge FROM settings;",
      "SELECT (s).purge FROM settings s;"
    };
    for (int i = 0; i < forms.length; i++) {
      f.migration("V" + (i + 3) + "__attr.sql", "-- per row of settings\n" + forms[i] + "\n");
    }

    TraceReport r = trace();

    for (int i = 0; i < forms.length; i++) {
      String v = "V" + (i + 3);
      assertThat(incomplete(r, v))
          .as(forms[i])
          .singleElement()
          .satisfies(
              x -> {
                assertThat(x.severity()).isEqualTo(Severity.ERROR);
                assertThat(x.message())
                    .contains(v + "__attr.sql line 2", "public.settings", "1 rows");
              });
    }
    assertThat(r.blocking()).isTrue();
  }
}
