package dev.prodguard.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.migration.ScriptText;
import dev.prodguard.sql.Classifier;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlStatement;
import dev.prodguard.sql.SqlSyntax;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * G7: a deploy killed (SIGKILL, a dead runner) inside a migration that no transaction bounds may
 * leave part of it committed, and the migration tool, which records a migration only once it ends,
 * has no history row for it: the next deploy would run the whole file again on top of what stayed.
 *
 * <p>When a deploy starts migrating it records in its receipt (which a kill leaves on the run), for
 * each pending migration, whether a kill inside it is <em>bounded</em> (the server undoes all of
 * it) or not, judged on the files it deploys, never on what the repository holds later ({@link
 * #judge}). A run whose deploy died ({@code failed} with that start receipt) and whose first
 * migration not applied since was judged unbounded is <em>unsettled</em>: verify, deploy and
 * promote refuse ({@link #refusal}), status shows it, and {@code prodguard repair --reason} settles
 * it ({@link #settled}), audited, after someone checked the target or restored the run's backup.
 */
final class KillBounds {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The receipt key of the judgements, and of the marker of a receipt written at start. */
  static final String KEY = "kill_bounds";

  static final String PHASE = "phase";
  static final String MIGRATING = "migrating";
  static final String SETTLED = "settled";

  /** A multi-table UPDATE / DELETE writes tables that the classifier does not list as targets. */
  private static final Pattern MULTI_TABLE =
      Pattern.compile(
          "(?is)\\bJOIN\\b|^\\s*DELETE\\s+(?!FROM\\b)|\\bUSING\\b|^\\s*UPDATE\\s+[^=]*,");

  private KillBounds() {}

  /**
   * One pending migration as judged when its deploy started.
   *
   * @param script the file's path relative to its location (the engine's script name)
   * @param label {@code V2 add audit}, as the deploy's progress names it
   * @param bounded a kill inside it leaves nothing of it: the server undoes all of it
   * @param why the reason, in a sentence fragment (for the refusal)
   */
  record Judged(String script, String label, boolean bounded, String why) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("script", script);
      m.put("label", label);
      m.put("bounded", bounded);
      m.put("why", why);
      return m;
    }
  }

  /**
   * MariaDB's facts about a table a migration writes (names lower-case, schema-qualified as
   * written): its storage engine, empty when there is no such base table; whether it has triggers.
   */
  interface Tables {
    Optional<String> engine(String table) throws SQLException;

    boolean hasTriggers(String table) throws SQLException;
  }

  /** A dead run whose unfinished migration may have committed part of its work. */
  record Unsettled(Run run, Judged migration) {
    /** One line for status. */
    String line() {
      return "run "
          + run.id()
          + ": its deploy died inside "
          + migration.script()
          + " ("
          + migration.label()
          + "), which may have committed part of its work ("
          + migration.why()
          + ")";
    }
  }

  /**
   * The judgement of every migration of {@code set}, in order. MariaDB's table facts are read on
   * {@code c}; what cannot be read or judged is unbounded (fail closed).
   */
  static List<Judged> judge(
      Target target, MigrationEngine engine, MigrationFiles files, MigrationSet set, Connection c) {
    DatabaseKind kind = target.dialect().kind();
    boolean transactionalDdl = target.dialect().transactionalDdl();
    Tables tables = transactionalDdl ? null : mariaDbTables(c);
    List<Judged> out = new ArrayList<>();
    for (PendingMigration p : set.pending()) {
      String script = p.file().relativePath();
      try {
        EngineStatements es = engine.statements(files, p.file(), kind);
        ScriptText text = engine.text(files, p.file());
        out.add(
            judge(
                kind,
                transactionalDdl,
                script,
                p.label(),
                es,
                script.endsWith(".sql") && text.unknown().isEmpty()
                    ? text.text()
                    : Optional.empty(),
                tables));
      } catch (RuntimeException e) {
        out.add(
            new Judged(
                script,
                p.label(),
                false,
                "prodguard could not judge it: " + StepContext.describe(e)));
      }
    }
    return out;
  }

  /**
   * The judgement of one migration. PostgreSQL: bounded when the engine runs it in one transaction
   * (its script configuration, else whether every statement can run in one) and no statement of it
   * can commit on its own ({@link PartialMigration#mayCommitPart}); or when it is one such
   * statement, which the server undoes as a whole ({@link Leftovers}' rule: an invalid index it
   * leaves is dropped by the next deploy). MariaDB, whose DDL commits implicitly: bounded only when
   * it runs in one transaction and changes rows of existing InnoDB tables without triggers and
   * nothing else (over-refusing: a single atomic DDL statement is unbounded too).
   *
   * @param text the script as the server receives it; empty when it is not SQL or not known here
   * @param tables MariaDB's table facts (unused on PostgreSQL)
   */
  static Judged judge(
      DatabaseKind kind,
      boolean transactionalDdl,
      String script,
      String label,
      EngineStatements es,
      Optional<String> text,
      Tables tables) {
    if (es.failure().isPresent() || text.isEmpty()) {
      return new Judged(
          script,
          label,
          false,
          es.failure()
              .map(f -> "the migration tool cannot read it: " + f)
              .orElse(
                  "prodguard cannot read what it runs (not an SQL script, or a placeholder"
                      + " without a known value)"));
    }
    boolean each = es.statements().stream().allMatch(EngineStatements.Statement::transactional);
    boolean inTransaction = es.executeInTransaction().orElse(each);
    List<SqlStatement> statements =
        new Splitter(SqlSyntax.of(kind))
            .split(new SourceFile(script, text.get())).stream()
                .filter(st -> !st.text().isBlank())
                .toList();
    for (SqlStatement st : statements) {
      Optional<String> part = PartialMigration.mayCommitPart(kind, st);
      if (part.isPresent()) {
        return new Judged(script, label, false, part.get() + " can commit part of its work");
      }
    }
    String outside =
        es.executeInTransaction().isPresent()
            ? "its script configuration runs it outside a transaction (executeInTransaction=false),"
                + " so each statement commits as it runs"
            : "a statement of it cannot run in a transaction, so the migration tool runs it"
                + " outside one and each statement commits as it runs";
    if (transactionalDdl) {
      if (inTransaction) {
        return new Judged(
            script,
            label,
            true,
            "it runs in one transaction, which the server rolls back when the session dies");
      }
      if (statements.size() == 1) {
        return new Judged(
            script,
            label,
            true,
            "it is one statement, which the server undoes as a whole when the session dies");
      }
      return new Judged(script, label, false, outside);
    }
    if (!inTransaction) {
      return new Judged(script, label, false, outside);
    }
    for (SqlStatement st : statements) {
      Optional<String> why = notInnoDbRowChange(kind, st, tables);
      if (why.isPresent()) {
        return new Judged(script, label, false, why.get());
      }
    }
    return new Judged(
        script,
        label,
        true,
        "it changes rows of InnoDB tables without triggers in one transaction, which the server"
            + " rolls back when the session dies");
  }

  /** MariaDB: why {@code st} is not a row change of an InnoDB table without triggers. */
  private static Optional<String> notInnoDbRowChange(
      DatabaseKind kind, SqlStatement st, Tables tables) {
    String where = " (" + st.file() + ":" + st.line() + ")";
    List<Operation> ops;
    try {
      ops = new Classifier(SqlSyntax.of(kind)).classify(st);
    } catch (RuntimeException e) {
      return Optional.of("a statement prodguard cannot read" + where);
    }
    for (Operation op : ops) {
      if (op.has(Operation.Flag.DEFERRED) || op.kind() == OpKind.SELECT) {
        continue;
      }
      if (!Set.of(OpKind.INSERT, OpKind.UPDATE, OpKind.DELETE).contains(op.kind())) {
        return Optional.of(
            "a statement that is not a row change"
                + where
                + ", which "
                + kind.label()
                + " may commit on its own (DDL commits implicitly)");
      }
      if (op.target() == null || MULTI_TABLE.matcher(st.text()).find()) {
        return Optional.of("a row change of more than one table or of an unnamed one" + where);
      }
      try {
        Optional<String> engine = tables.engine(op.target());
        if (engine.isEmpty() || !engine.get().equalsIgnoreCase("InnoDB")) {
          return Optional.of(
              "a row change of "
                  + op.target()
                  + where
                  + ", "
                  + engine
                      .map(e -> "a " + e + " table, which does not roll back")
                      .orElse("which is not an existing base table when the deploy starts"));
        }
        if (tables.hasTriggers(op.target())) {
          return Optional.of(
              "a row change of "
                  + op.target()
                  + where
                  + ", whose triggers may write tables that do not roll back");
        }
      } catch (SQLException e) {
        return Optional.of(
            "prodguard could not read the storage engine of "
                + op.target()
                + ": "
                + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * MariaDB's information_schema on {@code c}, the deploy's control connection; each table read
   * once (a seed migration of many INSERT statements names the same few tables).
   */
  private static Tables mariaDbTables(Connection c) {
    Map<String, Optional<String>> engines = new java.util.HashMap<>();
    Map<String, Boolean> triggers = new java.util.HashMap<>();
    Tables read = mariaDbReads(c);
    return new Tables() {
      @Override
      public Optional<String> engine(String table) throws SQLException {
        if (!engines.containsKey(table)) {
          engines.put(table, read.engine(table));
        }
        return engines.get(table);
      }

      @Override
      public boolean hasTriggers(String table) throws SQLException {
        if (!triggers.containsKey(table)) {
          triggers.put(table, read.hasTriggers(table));
        }
        return triggers.get(table);
      }
    };
  }

  private static Tables mariaDbReads(Connection c) {
    return new Tables() {
      @Override
      public Optional<String> engine(String table) throws SQLException {
        String[] n = split(table);
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA ="
                    + " COALESCE(?, DATABASE()) AND LOWER(TABLE_NAME) = ? AND TABLE_TYPE ="
                    + " 'BASE TABLE'")) {
          ps.setString(1, n[0]);
          ps.setString(2, n[1]);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
          }
        }
      }

      @Override
      public boolean hasTriggers(String table) throws SQLException {
        String[] n = split(table);
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA ="
                    + " COALESCE(?, DATABASE()) AND LOWER(EVENT_OBJECT_TABLE) = ?")) {
          ps.setString(1, n[0]);
          ps.setString(2, n[1]);
          try (ResultSet rs = ps.executeQuery()) {
            return !rs.next() || rs.getLong(1) != 0;
          }
        }
      }
    };
  }

  private static String[] split(String table) {
    String t = table.replace("`", "").toLowerCase(Locale.ROOT);
    int dot = t.lastIndexOf('.');
    return dot < 0
        ? new String[] {null, t}
        : new String[] {t.substring(0, dot), t.substring(dot + 1)};
  }

  /** The receipt's judgements as JSON values. */
  static List<Map<String, Object>> json(List<Judged> judged) {
    return judged.stream().map(Judged::json).toList();
  }

  /**
   * The unsettled runs of {@code env}: runs since its last successful deploy whose deploy died
   * after it recorded its start receipt, not settled by a repair, whose first migration that is not
   * {@code applied} now was judged unbounded. {@code applied}: the script is in the files and not
   * pending (a script no longer there counts as not applied: fail closed).
   */
  static List<Unsettled> unsettled(RunStore store, String env, Predicate<String> applied)
      throws SQLException {
    List<Unsettled> out = new ArrayList<>();
    for (Run r : died(store, env)) {
      for (Judged j : judgedOf(r)) {
        if (applied.test(j.script())) {
          continue;
        }
        if (!j.bounded()) {
          out.add(new Unsettled(r, j));
        }
        break;
      }
    }
    return out;
  }

  /**
   * Runs since the last successful deploy of {@code env} whose deploy process died while migrating
   * (their receipt is still the one written at start) and that no repair settled; newest first.
   */
  static List<Run> died(RunStore store, String env) throws SQLException {
    List<Run> out = new ArrayList<>();
    if (!store.exists()) {
      return out;
    }
    for (Run r : store.recent(env, 50)) {
      if (r.status() == RunStatus.DEPLOYED) {
        break;
      }
      if (r.status() != RunStatus.FAILED || r.receipt().isEmpty()) {
        continue;
      }
      JsonNode n = read(r.receipt().get());
      if (MIGRATING.equals(n.path(PHASE).asText()) && !n.has(SETTLED) && n.has(KEY)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * The judgements recorded in a run's receipt; a receipt that cannot be read is one unbounded
   * unknown migration (fail closed).
   */
  static List<Judged> judgedOf(Run r) {
    JsonNode n = read(r.receipt().orElse(""));
    List<Judged> out = new ArrayList<>();
    if (!n.path(KEY).isArray()) {
      return List.of(
          new Judged("?", "?", false, "prodguard cannot read what the run recorded at start"));
    }
    for (JsonNode j : n.path(KEY)) {
      out.add(
          new Judged(
              j.path("script").asText("?"),
              j.path("label").asText("?"),
              j.path("bounded").asBoolean(false),
              j.path("why").asText("")));
    }
    return out;
  }

  /**
   * The receipt of a settled run: its start receipt with {@code settled} (the reason, who, when,
   * and the repair's run) added.
   */
  static String settled(Run r, String reason, String by, Instant at, String repairRun) {
    ObjectNode n = (ObjectNode) read(r.receipt().orElse("{}")).deepCopy();
    ObjectNode s = n.putObject(SETTLED);
    s.put("reason", reason);
    s.put("by", by);
    s.put("at", at.toString());
    s.put("repair_run", repairRun);
    try {
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode read(String receipt) {
    try {
      JsonNode n = JSON.readTree(receipt);
      return n == null || !n.isObject() ? JSON.createObjectNode() : n;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /**
   * The one-screen refusal for an unsettled run: what died where, why the next deploy would apply
   * part of it twice, and the one way forward (check the target or restore the run's backup, then
   * {@code prodguard repair --reason} from CI settles the run).
   */
  static GuardRefusal refusal(Unsettled u, String what, String address) {
    Run r = u.run();
    return new GuardRefusal(
        Guarantee.G7,
        what,
        "deploy run "
            + r.id()
            + " failed without finishing: its process died (killed, crashed or disconnected)"
            + " inside "
            + u.migration().script()
            + " ("
            + u.migration().label()
            + "), a migration no transaction bounds: "
            + u.migration().why()
            + ". Part of it may be committed, and the migration history has no row for it, so the"
            + " next deploy would run the whole file again on top of what stayed (a second copy of"
            + " its row changes).",
        "check on the target what "
            + u.migration().script()
            + " committed and complete or undo it by hand"
            + r.backup()
                .map(
                    b ->
                        " (or restore the run's backup "
                            + b.path()
                            + ", sha256 "
                            + b.sha256()
                            + ")")
                .orElse("")
            + "; then from CI: prodguard repair "
            + address
            + " --reason \"...\" settles run "
            + r.id()
            + " (audited), and verify goes on");
  }
}
