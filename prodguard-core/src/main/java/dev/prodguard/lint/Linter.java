package dev.prodguard.lint;

import dev.prodguard.contract.Adoption;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.contract.RuleIds;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Cover;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.lint.rules.CallbackPlaceholderRule;
import dev.prodguard.lint.rules.Cascades;
import dev.prodguard.lint.rules.ErrorCallbackChangeRule;
import dev.prodguard.lint.rules.EveryMigrateCallbackWriteRule;
import dev.prodguard.lint.rules.IdentifierTooLongRule;
import dev.prodguard.lint.rules.Rule;
import dev.prodguard.lint.rules.RuleContext;
import dev.prodguard.lint.rules.Rules;
import dev.prodguard.lint.rules.TableParents;
import dev.prodguard.lint.rules.UnknownStatementRule;
import dev.prodguard.migration.EngineSplitter;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.ScriptText;
import dev.prodguard.sql.Classifier;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Routines;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlStatement;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.ForeignKey;
import dev.prodguard.support.TableDependency;
import dev.prodguard.support.TableParent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Analyses migration files against the contract (G4). Used by {@code prodguard lint} and by the
 * pipeline's {@code verify}. On a protected environment, forbidden rules, unknown statements,
 * dynamic SQL and protected-table writes are errors; rules whose default severity is error
 * (transaction control, prodguard's own objects) are errors everywhere. A finding is covered only
 * by a contract exception for its migration and rule ({@link RuleIds#NOT_COVERABLE} rules never),
 * and an exception that covers nothing is itself an error. Inline SQL comments never change a
 * finding. Routines the files define, in Flyway's order, are followed where they are called.
 */
public final class Linter {
  public static final String UNUSED_EXCEPTION = Rules.CONTRACT_EXCEPTION_UNUSED.id();

  /** Flyway's {@code ${flyway:filename}} (looked up case-insensitively, as Flyway does). */
  private static final Pattern FILENAME_PLACEHOLDER =
      Pattern.compile("\\$\\{flyway:filename}", Pattern.CASE_INSENSITIVE);

  /**
   * Flyway's {@code ${flyway:workingDirectory}}: the deploying process's working directory,
   * verbatim, which the analysis cannot know (attacker 21/13).
   */
  private static final Pattern WORKING_DIRECTORY_PLACEHOLDER =
      Pattern.compile("\\$\\{flyway:workingDirectory}", Pattern.CASE_INSENSITIVE);

  /** A file name that cannot end a string, open a comment or end a statement when put in SQL. */
  private static final Pattern PLAIN_FILE_NAME =
      Pattern.compile("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*");

  private final SqlSyntax syntax;

  /**
   * The migrations of the run being linted with an UPDATE or DELETE that has a WHERE (PostgreSQL):
   * trace judges such a WHERE with the target's NOT NULL columns and may report {@link
   * #WHERE_RULES} that lint does not, so an exception of them there is not stale to lint.
   */
  private Set<MigrationId> traceJudgesWhere = new HashSet<>();

  private static final Set<String> WHERE_RULES =
      Set.of("delete-without-where", "update-without-where");
  private final Splitter splitter;
  private final Classifier classifier;
  private final List<Rule> rules;
  private EngineSplitter engine;
  private Function<MigrationFile, ScriptText> texts = f -> ScriptText.utf8(f.bytes());
  private java.util.function.UnaryOperator<String> mask = s -> s;
  private List<ForeignKey> foreignKeys = List.of();
  private List<TableDependency> dependencies = List.of();
  private Function<MigrationSource, Optional<String>> everyMigrate = s -> Optional.empty();
  private Function<MigrationSource, Optional<String>> onError = s -> Optional.empty();
  private List<TableParent> tableParents = List.of();
  private List<dev.prodguard.support.TableTrigger> tableTriggers = List.of();
  private dev.prodguard.lint.rules.ExistingTriggers existingTriggers;
  private Map<String, List<dev.prodguard.support.StoredRoutine>> storedRoutines = Map.of();
  private Map<String, List<List<Operation>>> storedBodies = new java.util.HashMap<>();
  private Set<String> historyTables = Set.of();

  /** Partitions and inheritance children: the catalog's, then those the files make, in order. */
  private TableParents parents = new TableParents();

  public Linter(DatabaseKind dialect) {
    this.syntax = SqlSyntax.of(dialect);
    this.splitter = new Splitter(syntax);
    this.classifier = new Classifier(syntax);
    this.rules = Rules.all();
  }

  /**
   * The linter every entry point ({@code prodguard lint}, the Maven plugin's {@code lint}, {@code
   * verify}) uses on a project's files: the engine's own statement boundaries as the cross-check
   * (G4: what is analysed is what the engine will send), the engine's reading of each file (its
   * encoding, its script configuration) and the placeholders masked as the engine will replace
   * them.
   */
  public static Linter forEngine(
      DatabaseKind kind, dev.prodguard.migration.MigrationEngine engine, MigrationFiles files) {
    return new Linter(kind)
        .everyMigrate(engine::everyMigrateEvent)
        .errorCallbacks(engine::errorEvent)
        .crossCheck(file -> engine.statements(files, file, kind))
        .texts(file -> engine.text(files, file))
        .masking(files.placeholders()::mask)
        .historyTable(engine.historyTable());
  }

  /**
   * The engine's history table as configured ({@code migrations.table}): when it is not one of
   * Flyway's defaults (which are always reserved), a migration that touches or names it is a {@code
   * prodguard-objects} error like one on {@code flyway_schema_history} (G10, G7: a forged history
   * row makes a later migration read as applied).
   */
  public Linter historyTable(Optional<String> table) {
    Set<String> names = new HashSet<>();
    table.ifPresent(
        t -> {
          String n = t.toLowerCase(java.util.Locale.ROOT);
          int dot = n.lastIndexOf('.');
          n = dot < 0 ? n : n.substring(dot + 1);
          if (!dev.prodguard.sql.ProdguardObjects.reserved(n)) {
            names.add(n);
          }
        });
    this.historyTables = Set.copyOf(names);
    classifier.historyTables(historyTables);
    return this;
  }

  /**
   * Which callbacks the migration tool runs on every migrate, nothing pending included ({@link
   * dev.prodguard.migration.MigrationEngine#everyMigrateEvent}): on a protected environment their
   * schema changes are {@link Rules#EVERY_MIGRATE_CALLBACK_DDL} errors.
   */
  public Linter everyMigrate(Function<MigrationSource, Optional<String>> events) {
    this.everyMigrate = java.util.Objects.requireNonNull(events);
    return this;
  }

  /**
   * Which callbacks the migration tool runs only when an operation fails ({@link
   * dev.prodguard.migration.MigrationEngine#errorEvent}): on a protected environment their schema
   * changes and writes are {@link dev.prodguard.lint.rules.ErrorCallbackChangeRule} errors.
   */
  public Linter errorCallbacks(Function<MigrationSource, Optional<String>> events) {
    this.onError = java.util.Objects.requireNonNull(events);
    return this;
  }

  /**
   * Checks every file against the statements the migration tool will send for it (G4): when the
   * tool cannot read a file, or sends a statement whose code differs from what prodguard analysed
   * (comments and whitespace aside), that is an {@code unknown-statement} finding at the first
   * disagreement. {@code lint} and {@code verify} always set it.
   */
  public Linter crossCheck(EngineSplitter splitter) {
    this.engine = java.util.Objects.requireNonNull(splitter);
    return this;
  }

  /**
   * Reads each file as the migration tool will hand it to the server ({@code MigrationEngine#text}:
   * its encoding, placeholders replaced); by default as UTF-8 with nothing replaced. {@code lint}
   * and {@code verify} always set it.
   */
  public Linter texts(Function<MigrationFile, ScriptText> reader) {
    this.texts = java.util.Objects.requireNonNull(reader);
    return this;
  }

  /**
   * Applied to every finding's message and excerpt: placeholder values read from the environment
   * (often credentials) are shown as their placeholder ({@code Placeholders#mask}).
   */
  public Linter masking(java.util.function.UnaryOperator<String> mask) {
    this.mask = java.util.Objects.requireNonNull(mask);
    return this;
  }

  /**
   * The target's foreign keys ({@code verify} reads them from its catalog): a write to a parent
   * table whose key cascades into a protected table is a write to that table (G4).
   */
  public Linter foreignKeys(List<ForeignKey> keys) {
    this.foreignKeys = List.copyOf(keys);
    return this;
  }

  /**
   * The objects the target's tables depend on ({@code verify} reads them from its catalog):
   * replacing a protected table's trigger function or changing its column types, domains or
   * sequences changes its rows (G4).
   */
  public Linter tableDependencies(List<TableDependency> dependencies) {
    this.dependencies = List.copyOf(dependencies);
    return this;
  }

  /**
   * The triggers the target's tables already have ({@code verify} reads them from its catalog): a
   * statement that writes such a table runs them, so what their bodies write it writes (G4).
   */
  public Linter tableTriggers(List<dev.prodguard.support.TableTrigger> triggers) {
    this.tableTriggers = List.copyOf(triggers);
    this.existingTriggers = null;
    return this;
  }

  /**
   * The functions and procedures the target already has ({@code verify} reads them from its
   * catalog): what the triggers' bodies call is judged by their code (G4).
   */
  public Linter storedRoutines(List<dev.prodguard.support.StoredRoutine> routines) {
    this.storedRoutines = new java.util.HashMap<>();
    for (dev.prodguard.support.StoredRoutine r : routines) {
      this.storedRoutines.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    }
    this.storedBodies = new java.util.HashMap<>();
    return this;
  }

  /**
   * The operators and operator classes users made on the target ({@code verify} reads them): a
   * migration that uses one is judged by the functions they run (G4).
   */
  public Linter userOperators(List<dev.prodguard.support.UserOperator> operators) {
    this.userOperators = List.copyOf(operators);
    return this;
  }

  private List<dev.prodguard.support.UserOperator> userOperators = List.of();

  /**
   * The operations of every stored routine named {@code name} (last part, lower case; {@code
   * schema.name}: of that schema only), classified once when first called; a null body for one
   * whose code cannot be read.
   */
  private List<List<Operation>> storedRoutine(String name) {
    int dot = name.lastIndexOf('.');
    List<dev.prodguard.support.StoredRoutine> found =
        storedRoutines.get(dot < 0 ? name : name.substring(dot + 1));
    if (found == null) {
      return List.of();
    }
    if (dot >= 0) {
      // schema.name: that schema's (MariaDB: that database's) routines only
      String schema = name.substring(0, dot);
      found =
          found.stream()
              .filter(r -> r.schema() != null && r.schema().equalsIgnoreCase(schema))
              .toList();
    }
    List<dev.prodguard.support.StoredRoutine> matching = found;
    return storedBodies.computeIfAbsent(
        name,
        k -> {
          List<List<Operation>> out = new ArrayList<>();
          for (dev.prodguard.support.StoredRoutine r : matching) {
            if (r.definition() == null) {
              out.add(null);
              continue;
            }
            List<Operation> ops = new ArrayList<>();
            analyse(
                "routine " + r.name(),
                r.definition(),
                op -> {
                  if (op.has(Operation.Flag.IN_BODY) || op.has(Operation.Flag.DEFERRED)) {
                    ops.add(op);
                  }
                });
            ops.addAll(shadowCalls(r.definition()));
            out.add(ops);
          }
          return java.util.Collections.unmodifiableList(out);
        });
  }

  /**
   * The names of the target's routines that the analyser reads as built-in functions when called
   * (G4): a user's {@code public.lower(int)}, or one made in {@code pg_catalog} under such a name.
   */
  private Set<String> shadowingRoutines() {
    return Routines.shadowing(syntax, storedRoutines.keySet());
  }

  /**
   * The calls in a body read from the target of names of {@link #shadowingRoutines} ({@link
   * Routines#shadowCalls}), which the analyser reads as built-ins and does not report: as deferred
   * calls, followed into the target's routines of that name (G4).
   */
  private List<Operation> shadowCalls(String definition) {
    List<Operation> out = new ArrayList<>();
    for (String name : Routines.shadowCalls(definition, shadowingRoutines())) {
      out.add(
          new Operation(
              dev.prodguard.sql.OpKind.FUNCTION_CALL,
              null,
              name,
              null,
              List.of(),
              java.util.EnumSet.of(Operation.Flag.DEFERRED),
              null));
    }
    return out;
  }

  /**
   * Tells {@code routines} which of the target's relations PostgreSQL evaluates user code for when
   * they are read or refreshed ({@link #tableTriggers} on SELECT or REFRESH), so that a read of one
   * is an operation the lint judges (G4).
   */
  private void evaluatedOnRead(Routines routines) {
    List<String> read = new ArrayList<>();
    List<String> refresh = new ArrayList<>();
    for (dev.prodguard.support.TableTrigger t : tableTriggers) {
      if (t.events().contains(dev.prodguard.support.TableTrigger.SELECT)) {
        read.add(t.table());
      }
      if (t.events().contains(dev.prodguard.support.TableTrigger.REFRESH)) {
        refresh.add(t.table());
      }
    }
    routines.evaluatedOnRead(read, refresh);
  }

  /** The bodies of {@link #tableTriggers}, classified once. */
  private dev.prodguard.lint.rules.ExistingTriggers existingTriggers() {
    if (existingTriggers == null) {
      List<dev.prodguard.lint.rules.ExistingTriggers.Trigger> out = new ArrayList<>();
      for (dev.prodguard.support.TableTrigger t : tableTriggers) {
        List<Operation> body = null;
        if (t.definition() != null) {
          List<Operation> ops = new ArrayList<>();
          analyse(
              "trigger " + t.name(),
              t.definition(),
              op -> {
                if (op.has(Operation.Flag.IN_BODY) || op.has(Operation.Flag.DEFERRED)) {
                  ops.add(op);
                }
              });
          ops.addAll(shadowCalls(t.definition()));
          body = ops;
        }
        out.add(
            new dev.prodguard.lint.rules.ExistingTriggers.Trigger(
                t.name(), t.schema() + "." + t.table(), t.events(), body));
      }
      existingTriggers = new dev.prodguard.lint.rules.ExistingTriggers(out);
    }
    return existingTriggers;
  }

  /**
   * The target's partitions and inheritance children ({@code verify} reads them from its catalog):
   * a partition (or child) of a protected table is protected too (G4). Without them ({@code lint})
   * only the partitions the migrations themselves make are known.
   */
  public Linter tableParents(List<TableParent> parents) {
    this.tableParents = List.copyOf(parents);
    return this;
  }

  /** PostgreSQL, the default dialect. */
  public static LintReport lint(List<Path> files, Contract contract, boolean protectedEnv) {
    return new Linter(DatabaseKind.POSTGRESQL).lintFiles(files, contract, protectedEnv);
  }

  /**
   * Lints files named by path, each read once, with no migration identity (a contract exception
   * covers nothing here): for tests and benchmarks of the analysis. Commands lint what the
   * migration engine discovered ({@link #lint(List, List, Contract, boolean, boolean)}).
   */
  public LintReport lintFiles(List<Path> files, Contract contract, boolean protectedEnv) {
    return lintFiles(files, List.of(), contract, protectedEnv);
  }

  /** As {@link #lintFiles(List, Contract, boolean)}, with {@code context} read for routines. */
  public LintReport lintFiles(
      List<Path> files, List<Path> context, Contract contract, boolean protectedEnv) {
    return lint(sources(files), sources(context), contract, protectedEnv, false);
  }

  private static List<MigrationSource> sources(List<Path> paths) {
    if (paths.isEmpty()) {
      return List.of();
    }
    MigrationFiles read = MigrationFiles.read(paths);
    return read.all().stream()
        .map(
            f ->
                new MigrationSource(
                    f, MigrationSource.Role.NOT_RUN, Optional.empty(), read.shown(f)))
        .toList();
  }

  /**
   * Lints {@code files}, the sources the migration engine discovered, with exactly the bytes it
   * read (the bytes that will be hashed and deployed); {@code context} are the other migrations
   * (e.g. those already applied, in the engine's order), read only for the functions and procedures
   * they define, so that a call in {@code files} is judged by the body it runs. {@code complete}:
   * the files are every migration of the locations, so an exception naming a migration that does
   * not exist is an error too; otherwise exceptions are judged only for the migrations among {@code
   * files}.
   */
  public LintReport lint(
      List<MigrationSource> files,
      List<MigrationSource> context,
      Contract contract,
      boolean protectedEnv,
      boolean complete) {
    Routines routines = new Routines();
    parents = TableParents.of(tableParents);
    searchPathMoves = false;
    evaluatedOnRead(routines);
    for (dev.prodguard.support.UserOperator o : userOperators) {
      routines.targetOperator(o.name(), o.opclass(), o.functions(), o.implicit());
    }
    for (MigrationSource s : context) {
      learnRoutines(s, routines);
    }
    return run(files, contract, protectedEnv, complete, routines);
  }

  LintReport run(
      List<MigrationSource> files,
      Contract contract,
      boolean protectedEnv,
      boolean complete,
      Routines routines) {
    List<Finding> findings = new ArrayList<>();
    truncations = new Truncations();
    List<String> names = new ArrayList<>();
    Set<Contract.MigrationException> used = new HashSet<>();
    Map<Contract.MigrationException, String> unadmitted = new java.util.LinkedHashMap<>();
    Set<MigrationId> present = new HashSet<>();
    traceJudgesWhere = new HashSet<>();
    int statements = 0;
    try (ReadAhead ahead = new ReadAhead(files, contract, protectedEnv)) {
      for (MigrationSource f : files) {
        names.add(f.shown());
        f.id().ifPresent(present::add);
        statements +=
            lintFile(ahead.next(), contract, protectedEnv, findings, used, unadmitted, routines);
      }
    }
    truncations.collisions(findings);
    for (Contract.MigrationException e : contract.exceptions()) {
      if (used.contains(e)) {
        continue;
      }
      boolean inScope = present.stream().anyMatch(id -> e.migration().covers(id));
      if (!complete && !inScope) {
        continue;
      }
      if (!inScope
          && e.migration().kind() != MigrationId.Kind.REPEATABLE
          && contract.adoption().baselineIfAny().filter(b -> b.covers(e.migration())).isPresent()) {
        continue; // history: it covers the migration where verify judges it (a target behind)
      }
      if (inScope && RuleIds.isTrace(e.rule())) {
        continue; // a fact of trace: lint never reports it, trace says whether it still applies
      }
      if (inScope
          && WHERE_RULES.contains(e.rule())
          && traceJudgesWhere.stream().anyMatch(id -> e.migration().covers(id))) {
        // trace judges the migration's WHERE with the target's NOT NULL columns, which lint
        // does not know: the exception may cover trace's finding of this rule
        continue;
      }
      if (unadmitted.containsKey(e)) {
        findings.add(
            finding(
                UNUSED_EXCEPTION,
                Severity.ERROR,
                e.file(),
                null,
                e.line(),
                1,
                e.unadmitted(unadmitted.get(e)),
                "{ migration: " + e.migration() + ", rule: " + e.rule() + " }",
                "Review the migration's current content; if the exception still holds, set its"
                    + " sha256 to the file's, through review (G4)."));
        continue;
      }
      findings.add(
          finding(
              UNUSED_EXCEPTION,
              Severity.ERROR,
              e.file(),
              null,
              e.line(),
              1,
              inScope
                  ? "the exception for "
                      + e.migration()
                      + " and rule '"
                      + e.rule()
                      + "' covers no finding: remove it (stale exceptions hide future"
                      + " changes)"
                  : "the exception names migration "
                      + e.migration()
                      + ", which does not exist: remove it or fix the version",
              "{ migration: " + e.migration() + ", rule: " + e.rule() + " }",
              "Delete the entry from the contract, or correct its migration or rule."));
    }
    List<Finding> shown = findings.stream().map(f -> f.mapText(mask)).toList();
    return new LintReport(names, statements, shown, contract.sha256(), protectedEnv);
  }

  /**
   * Files read, split by prodguard and by the migration tool, and compared, on other threads a few
   * files ahead of the classification: none of that depends on the files before, while the
   * classification follows the routines earlier files define, in order. On several cores the two
   * overlap; when the next file is not ready, the classifying thread prepares it itself. Findings
   * keep the files' order.
   */
  private final class ReadAhead implements AutoCloseable {
    private final List<MigrationSource> files;
    private final Contract contract;
    private final boolean protectedEnv;
    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<FutureTask<Prepared>> ready = new ArrayDeque<>();
    private int read;

    ReadAhead(List<MigrationSource> files, Contract contract, boolean protectedEnv) {
      this.files = files;
      this.contract = contract;
      this.protectedEnv = protectedEnv;
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      this.window = engine == null ? 1 : 4 * threads;
      this.pool =
          engine == null
              ? null
              : Executors.newFixedThreadPool(
                  threads,
                  r -> {
                    Thread t = new Thread(r, "prodguard-engine-split");
                    t.setDaemon(true);
                    return t;
                  });
    }

    Prepared next() {
      if (pool == null) {
        return prepare(files.get(read++), contract, protectedEnv);
      }
      while (ready.size() < window && read < files.size()) {
        MigrationSource f = files.get(read++);
        FutureTask<Prepared> task = new FutureTask<>(() -> prepare(f, contract, protectedEnv));
        ready.add(task);
        pool.execute(task);
      }
      FutureTask<Prepared> next = ready.remove();
      // not started yet: the file is prepared here rather than waited for (a task runs once, on
      // whichever thread starts it first)
      next.run();
      try {
        return next.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the migrations");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error r) {
          throw r;
        }
        throw new IllegalStateException("reading a migration failed", e.getCause());
      }
    }

    @Override
    public void close() {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /**
   * One file, prepared apart from the files before it: its text as the server receives it, its
   * statements, what of each the server refuses in a transaction and which hold a placeholder of
   * unknown value, and the findings of the file as a whole (the file name placeholder, the
   * disagreement with the migration tool's split, how the file mixes transactional and
   * non-transactional statements), each null when there is none.
   */
  private record Prepared(
      MigrationSource file,
      ScriptText text,
      SourceFile source,
      List<SqlStatement> statements,
      List<String> refusedInTransaction,
      List<Finding> unknownPlaceholders,
      Finding fileNamePlaceholder,
      Finding disagreement,
      Finding transactions) {}

  /** Everything of one file that does not depend on the files before it (thread-safe). */
  private Prepared prepare(MigrationSource f, Contract contract, boolean protectedEnv) {
    ScriptText read = texts.apply(f.file());
    String text = read.text().orElse("");
    String migration = f.id().map(MigrationId::toString).orElse(null);
    SourceFile source = new SourceFile(f.shown(), text);
    List<SqlStatement> statements = splitter.split(source);
    int n = statements.size();
    List<String> refused = new ArrayList<>(n);
    List<Finding> placeholders = new ArrayList<>(n);
    List<ScriptText.Unknown> unknown = read.unknown();
    for (SqlStatement statement : statements) {
      refused.add(refusedInTransaction(statement));
      placeholders.add(
          unknownPlaceholder(statement, unknown, contract, protectedEnv, migration).orElse(null));
    }
    Finding fileName = fileNamePlaceholder(f, source, contract, protectedEnv).orElse(null);
    Finding disagreement = null;
    EngineStatements theirs = null;
    boolean split =
        engine != null
            && read.text().isPresent()
            && !read.text().get().isEmpty()
            && read.refusals().isEmpty();
    if (split) {
      theirs = engine.split(f.file());
      disagreement = compareWithEngine(f, theirs, statements, contract, protectedEnv).orElse(null);
      if (disagreement != null) {
        theirs = null;
      }
    }
    Finding transactions =
        engine == null || theirs != null
            ? transactions(f, statements, refused, theirs).orElse(null)
            : null;
    return new Prepared(
        f, read, source, statements, refused, placeholders, fileName, disagreement, transactions);
  }

  private int lintFile(
      Prepared prepared,
      Contract contract,
      boolean protectedEnv,
      List<Finding> findings,
      Set<Contract.MigrationException> used,
      Map<Contract.MigrationException, String> unadmitted,
      Routines routines) {
    MigrationSource f = prepared.file();
    // hashed only when an exception of the contract names a finding of this file (issue 15: the
    // hash of every file was about a tenth of the classifying thread's time)
    FileHash sha256 = new FileHash(f.file());
    ScriptText read = prepared.text();
    if (read.text().isEmpty()) {
      findings.add(notUtf8(f.shown(), read.unreadable()));
    }
    for (ScriptText.Refusal r : read.refusals()) {
      findings.add(deployWillFail(f, r.line(), 1, r.message(), "", r.fix()));
    }
    if (f.role() == MigrationSource.Role.REFUSED_NAME) {
      findings.add(
          deployWillFail(
              f,
              1,
              1,
              "Flyway refuses the name "
                  + f.file().fileName()
                  + " (prodguard runs it with validateMigrationNaming): it is neither a migration"
                  + " nor a callback, and Flyway would stop the deploy on it",
              "",
              "Name it V<version>__<description>.sql (capital V), R__<description>.sql or after a"
                  + " Flyway callback event, or move it out of the migration locations."));
    }
    String migration = f.id().map(MigrationId::toString).orElse(null);
    RuleContext context =
        new RuleContext(
            contract,
            syntax,
            new HashSet<>(),
            Cascades.of(foreignKeys, dependencies, parents, contract)
                .withTriggers(existingTriggers())
                .withRoutines(routines)
                .withStoredRoutines(this::storedRoutine)
                .withShadowingRoutines(shadowingRoutines()),
            new HashSet<>(),
            historyTables);
    List<SqlStatement> statements = prepared.statements();
    Optional<String> everyMigrateEvent =
        protectedEnv ? everyMigrate.apply(f) : Optional.<String>empty();
    List<SqlStatement> schemaChanges = new ArrayList<>();
    Optional<String> errorEvent = protectedEnv ? onError.apply(f) : Optional.<String>empty();
    List<SqlStatement> callbackWrites = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      SqlStatement statement = statements.get(i);
      Finding placeholder = prepared.unknownPlaceholders().get(i);
      if (placeholder != null) {
        findings.add(cover(placeholder, f.id(), sha256, contract, used, unadmitted));
      }
      for (Operation op : classifier.classify(statement, routines)) {
        if (syntax == SqlSyntax.POSTGRESQL
            && (op.kind() == OpKind.UPDATE || op.kind() == OpKind.DELETE)
            && op.has(Operation.Flag.HAS_WHERE)
            && f.id().isPresent()) {
          traceJudgesWhere.add(f.id().get());
        }
        if (everyMigrateEvent.isPresent()
            && changesSchema(op)
            && !schemaChanges.contains(op.statement())) {
          schemaChanges.add(op.statement());
        }
        if (((everyMigrateEvent.isPresent() && EveryMigrateCallbackWriteRule.writes(op))
                || (errorEvent.isPresent()
                    && ErrorCallbackChangeRule.changes(op, changesSchema(op))))
            && !callbackWrites.contains(op.statement())) {
          callbackWrites.add(op.statement());
        }
        for (Rule rule : rules) {
          if (rule instanceof UnknownStatementRule && endsLiteral(read, statement)) {
            continue; // one cause, one finding: the deploy-will-fail on the placeholder above
          }
          String message = rule.check(op, context);
          if (message != null && severity(rule, contract, protectedEnv) != null) {
            Finding found = finding(rule, op, message, migration, contract, protectedEnv);
            if (rule instanceof IdentifierTooLongRule) {
              found = truncations.judge(found, op, context.syntax());
            }
            findings.add(cover(found, f.id(), sha256, contract, used, unadmitted));
            if (rule instanceof IdentifierTooLongRule) {
              truncations.at(findings.size() - 1, op, context.syntax());
            }
          }
        }
        parents.learn(op);
        learnCreated(op, statement, context);
      }
    }
    if (!schemaChanges.isEmpty()) {
      findings.add(everyMigrateCallback(f, everyMigrateEvent.get(), schemaChanges));
    }
    if (!callbackWrites.isEmpty()) {
      findings.add(
          errorEvent.isPresent()
              ? ErrorCallbackChangeRule.finding(f, errorEvent.get(), callbackWrites)
              : EveryMigrateCallbackWriteRule.finding(f, everyMigrateEvent.get(), callbackWrites));
    }
    if (protectedEnv && f.role() == MigrationSource.Role.CALLBACK) {
      CallbackPlaceholderRule.check(f, read).ifPresent(findings::add);
    }
    if (prepared.fileNamePlaceholder() != null) {
      findings.add(
          cover(prepared.fileNamePlaceholder(), f.id(), sha256, contract, used, unadmitted));
    }
    if (prepared.disagreement() != null) {
      findings.add(cover(prepared.disagreement(), f.id(), sha256, contract, used, unadmitted));
    }
    if (prepared.transactions() != null) {
      findings.add(prepared.transactions());
    }
    return statements.size();
  }

  /**
   * Whether a placeholder's value ends a string literal in {@code statement} ({@link
   * ScriptText.Refusal#endsLiteral}, reported as {@code deploy-will-fail}): what the statement says
   * after it is the value's text, not the migration's SQL.
   */
  private static boolean endsLiteral(ScriptText read, SqlStatement statement) {
    if (read.refusals().isEmpty()) {
      return false;
    }
    int first = statement.line();
    int last = statement.source().line(Math.max(statement.start(), statement.end() - 1));
    for (ScriptText.Refusal r : read.refusals()) {
      if (r.endsLiteral() && r.line() >= first && r.line() <= last) {
        return true;
      }
    }
    return false;
  }

  /**
   * G4: which tables this file made, so that writing them writes no production row ({@link
   * RuleContext#createdHere}). Only a plain {@code CREATE TABLE} that is a statement of the file
   * itself certainly runs and certainly makes a table the file's later statements name: one in a DO
   * block, a routine's body, a conditional or compound block, a prepared or dynamic string runs
   * when or if something else decides (or, failing, is caught), so it makes no table new. A
   * temporary table is no new table: it shadows one of the same name only until the session drops
   * it (DISCARD, ON COMMIT DROP, DROP, RESET search_path), after which the same name writes the
   * real table again. An unqualified name is new only while nothing of the migration set (an
   * applied migration's routine included) may have moved the search path: the name may have been
   * made in one schema and written in another. A drop, rename or move of the name (anywhere, a
   * routine's body included), or a dropped schema, ends it: the name may then be another table.
   */
  private void learnCreated(Operation op, SqlStatement statement, RuleContext context) {
    if (!searchPathMoves) {
      // each statement's text is read once, whatever number of operations it has (a body's
      // operations are part of its statement's text; a called routine's are read on their own)
      if (statement != scannedStatement) {
        scannedStatement = statement;
        scannedMoves = MOVES_SEARCH_PATH.matcher(statement.text()).find();
      }
      if (scannedMoves
          || (op.statement() != statement
              && MOVES_SEARCH_PATH.matcher(op.statement().text()).find())) {
        searchPathMoves = true;
        context.createdInFile().removeIf(t -> t.indexOf('.') < 0);
        context.createdIfNotExists().removeIf(t -> t.indexOf('.') < 0);
      }
    }
    switch (op.kind()) {
      case DROP_SCHEMA -> {
        context.createdInFile().clear();
        context.createdIfNotExists().clear();
      }
      case DROP_TABLE, RENAME_TABLE -> {
        Set<String> gone = new HashSet<>();
        if (op.target() != null) {
          gone.add(bareName(op.target()));
        }
        if (op.detail() != null && op.detail().startsWith("to ")) {
          gone.add(bareName(op.detail().substring(3).strip()));
        }
        context.createdInFile().removeIf(t -> gone.contains(bareName(t)));
        context.createdIfNotExists().removeIf(t -> gone.contains(bareName(t)));
      }
      case CREATE_TABLE -> {
        boolean certain =
            op.target() != null
                && op.statement() == statement
                && op.via() == null
                && !op.has(Operation.Flag.TEMPORARY)
                && !op.has(Operation.Flag.IN_BODY)
                && !op.has(Operation.Flag.DEFERRED)
                && (!searchPathMoves || op.target().indexOf('.') >= 0);
        if (certain) {
          (op.has(Operation.Flag.IF_EXISTS)
                  ? context.createdIfNotExists()
                  : context.createdInFile())
              .add(op.target());
        }
      }
      default -> {}
    }
  }

  private static String bareName(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT).replace("\"", "").replace("`", "");
    return n.substring(n.lastIndexOf('.') + 1);
  }

  /**
   * Text that may move the session's search path (PostgreSQL) or default database (MariaDB): a SET,
   * RESET or set_config of search_path, SET SCHEMA, RESET ALL, DISCARD ALL, USE. Judged on the text
   * (a routine's body and a dynamic string included), so a table made after it under an unqualified
   * name may be in another schema than the one a later unqualified write resolves to.
   */
  private static final Pattern MOVES_SEARCH_PATH =
      Pattern.compile(
          "search_path|set_config|\\bset\\s+schema\\b|\\breset\\s+all\\b|\\bdiscard\\s+all\\b"
              + "|(^|;|\\bbegin\\b|\\bthen\\b|\\bdo\\b)\\s*use\\s",
          Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

  /** Whether something of this run may have moved the search path ({@link #learnCreated}). */
  private boolean searchPathMoves;

  /** The statement whose text {@link #learnCreated} last read, and whether it moves the path. */
  private SqlStatement scannedStatement;

  private boolean scannedMoves;

  /**
   * What G6 refuses outside a deploy on a protected environment: DDL (PostgreSQL's DDL guard fires
   * on {@code ddl_command_start}, {@code REFRESH MATERIALIZED VIEW} included; MySQL/MariaDB's role
   * split leaves the application's account no schema privilege, {@code TRUNCATE} included). Data
   * changes, reads, locks and session settings are not refused.
   */
  private static boolean changesSchema(Operation op) {
    return switch (op.kind()) {
      case DELETE,
          UPDATE,
          INSERT,
          MERGE,
          COPY_IN,
          SELECT,
          DO_BLOCK,
          CALL,
          FUNCTION_CALL,
          DYNAMIC_SQL,
          SET_SESSION,
          TRANSACTION,
          LOCK,
          REFERENCE,
          UNKNOWN ->
          false;
      case MAINTENANCE ->
          op.statement().text().stripLeading().regionMatches(true, 0, "REFRESH", 0, 7);
      default -> true;
    };
  }

  /** One finding per callback: its file, its event, how many statements, where the first is. */
  private static Finding everyMigrateCallback(
      MigrationSource f, String event, List<SqlStatement> schemaChanges) {
    SqlStatement first = schemaChanges.get(0);
    return new Finding(
        Rules.EVERY_MIGRATE_CALLBACK_DDL.id(),
        Severity.ERROR,
        new Location(f.shown(), first.line(), first.column()),
        null,
        f.file().fileName()
            + " is a Flyway "
            + event
            + " callback, which Flyway runs without applying a migration (on every migrate,"
            + " nothing pending included: an application's start-up; or on a hand-run info,"
            + " validate, repair or baseline): its "
            + (schemaChanges.size() == 1
                ? "schema change is"
                : schemaChanges.size() + " schema changes are")
            + " refused there outside a prodguard deploy (G6), so the application fails to start",
        first.excerpt(160),
        Rules.EVERY_MIGRATE_CALLBACK_DDL.recipe(),
        Rules.EVERY_MIGRATE_CALLBACK_DDL.guarantee(),
        null);
  }

  /** What the server refuses inside a transaction block, read from the statement's first words. */
  private String refusedInTransaction(SqlStatement statement) {
    List<String> words = SqlCode.words(statement, syntax, 4);
    if (!words.isEmpty() && (words.get(0).equals("REINDEX") || words.get(0).equals("ALTER"))) {
      words = SqlCode.words(statement, syntax, 64);
    }
    return syntax.refusedInTransaction(words).orElse(null);
  }

  /**
   * A statement whose text holds a placeholder whose value is not known here: what the server will
   * read there cannot be judged, so the statement is unknown (fail closed).
   */
  private Optional<Finding> unknownPlaceholder(
      SqlStatement st,
      List<ScriptText.Unknown> unknown,
      Contract contract,
      boolean protectedEnv,
      String migration) {
    for (ScriptText.Unknown u : unknown) {
      if (u.start() < st.end() && u.end() > st.start()) {
        Rule rule = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
        return Optional.of(
            finding(
                rule.id(),
                severity(rule, contract, protectedEnv),
                st.file(),
                migration,
                st.line(),
                st.column(),
                "the value of placeholder "
                    + u.placeholder()
                    + " is not known here ("
                    + u.why()
                    + "), so prodguard cannot tell what the server will run",
                st.excerpt(160),
                "Set the variable where lint runs (the value is part of what deploys), or keep"
                    + " the placeholder out of this statement."));
      }
    }
    return Optional.empty();
  }

  /**
   * G7: what Flyway will refuse, or run where the server refuses it, for how the file mixes
   * statements that may and may not run inside a transaction. {@code theirs} is the tool's split
   * (per statement whether it runs in a transaction, and the script configuration); without a tool
   * (tests of the analysis alone), a statement the server refuses in a transaction is taken as one
   * the tool runs outside of one, with no script configuration.
   */
  private Optional<Finding> transactions(
      MigrationSource f, List<SqlStatement> ours, List<String> refused, EngineStatements theirs) {
    int n = ours.size();
    if (n == 0 || theirs != null && theirs.statements().size() != n) {
      return Optional.empty();
    }
    Optional<Boolean> configured =
        theirs == null ? Optional.empty() : theirs.executeInTransaction();
    boolean[] outside = new boolean[n];
    for (int i = 0; i < n; i++) {
      outside[i] =
          theirs == null ? refused.get(i) != null : !theirs.statements().get(i).transactional();
    }
    if (configured.isPresent() && !configured.get()) {
      return Optional.empty(); // the whole file runs outside a transaction
    }
    String conf = f.file().fileName() + ".conf";
    if (configured.isEmpty()) {
      int firstIn = -1;
      int firstOut = -1;
      for (int i = 0; i < n && (firstIn < 0 || firstOut < 0); i++) {
        if (outside[i] && firstOut < 0) {
          firstOut = i;
        } else if (!outside[i] && firstIn < 0) {
          firstIn = i;
        }
      }
      if (firstIn >= 0 && firstOut >= 0) {
        SqlStatement out = ours.get(firstOut);
        SqlStatement in = ours.get(firstIn);
        SqlStatement later = firstOut > firstIn ? out : in;
        return Optional.of(
            deployWillFail(
                f,
                later.line(),
                later.column(),
                "Flyway refuses this file: it mixes statements that must run outside a"
                    + " transaction (\u00ab"
                    + out.excerpt(60)
                    + "\u00bb, line "
                    + out.line()
                    + ") with statements it runs inside one (\u00ab"
                    + in.excerpt(60)
                    + "\u00bb, line "
                    + in.line()
                    + "): \"Detected both transactional and non-transactional statements\"",
                later.excerpt(160),
                "Move \u00ab"
                    + out.excerpt(60)
                    + "\u00bb into a migration of its own (Flyway runs it outside a transaction);"
                    + " or, knowing that a failure then leaves the statements before it applied,"
                    + " add "
                    + conf
                    + " with executeInTransaction=false."));
      }
      if (firstIn < 0) {
        return Optional.empty(); // every statement runs outside a transaction
      }
    }
    for (int i = 0; i < n; i++) {
      String what = refused.get(i);
      if (what == null && configured.isPresent() && outside[i]) {
        what = "this statement";
      }
      if (what == null) {
        continue;
      }
      SqlStatement st = ours.get(i);
      String why =
          configured.isPresent()
              ? conf + " sets executeInTransaction=true, so Flyway runs it in a transaction"
              : "Flyway does not know that "
                  + what
                  + " cannot run in a transaction and runs the"
                  + " file in one";
      return Optional.of(
          deployWillFail(
              f,
              st.line(),
              st.column(),
              why + ", and the server refuses " + what + " inside a transaction block",
              st.excerpt(160),
              configured.isPresent()
                  ? "Set executeInTransaction=false in " + conf + "."
                  : "Add "
                      + conf
                      + " holding executeInTransaction=false, with this statement alone in its"
                      + " migration."));
    }
    return Optional.empty();
  }

  private Finding deployWillFail(
      MigrationSource f, int line, int column, String message, String excerpt, String fix) {
    return finding(
        Rules.DEPLOY_WILL_FAIL.id(),
        Severity.ERROR,
        f.shown(),
        f.id().map(MigrationId::toString).orElse(null),
        line,
        column,
        message,
        excerpt,
        fix);
  }

  /**
   * Flyway replaces {@code ${flyway:filename}} with the file's name before the server reads the
   * text, in strings and comments too: a name with a quote, a {@code --} or a line break would end
   * a string or start a comment that prodguard read differently. Such a name is refused. {@code
   * ${flyway:workingDirectory}}, whose value the analysis never knows, is refused wherever it is.
   */
  private Optional<Finding> fileNamePlaceholder(
      MigrationSource f, SourceFile source, Contract contract, boolean protectedEnv) {
    if (source.text().indexOf("${") < 0) {
      return Optional.empty(); // neither placeholder can be written (both begin with "${")
    }
    Matcher wd = WORKING_DIRECTORY_PLACEHOLDER.matcher(source.text());
    if (wd.find()) {
      Rule unknown = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
      return Optional.of(
          finding(
              unknown.id(),
              severity(unknown, contract, protectedEnv),
              f.shown(),
              f.id().map(MigrationId::toString).orElse(null),
              source.line(wd.start()),
              source.column(wd.start()),
              "Flyway puts the working directory of the process that deploys here, verbatim"
                  + " (in strings and comments too): prodguard cannot know it when it judges the"
                  + " file, and a directory name with a quote, a '--' or a line break changes what"
                  + " the server runs",
              wd.group(),
              "Do not use ${flyway:workingDirectory}: give the value as a configured placeholder"
                  + " (migrations.placeholders in prodguard.yml), which prodguard resolves before"
                  + " it judges the file."));
    }
    String fileName = f.file().fileName();
    Matcher m = FILENAME_PLACEHOLDER.matcher(source.text());
    if (PLAIN_FILE_NAME.matcher(fileName).matches() || !m.find()) {
      return Optional.empty();
    }
    Rule unknown = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
    return Optional.of(
        finding(
            unknown.id(),
            severity(unknown, contract, protectedEnv),
            f.shown(),
            f.id().map(MigrationId::toString).orElse(null),
            source.line(m.start()),
            source.column(m.start()),
            "Flyway puts this file's name in the text here, and the name holds characters that"
                + " can end a string or start a comment, so prodguard cannot be sure what the"
                + " server will run",
            m.group(),
            "Rename the file to letters, digits, '_', '.' and single '-', or do not use"
                + " ${flyway:filename}."));
  }

  /** The first disagreement between prodguard's split and the migration tool's, as a finding. */
  private Optional<Finding> compareWithEngine(
      MigrationSource f,
      EngineStatements theirs,
      List<SqlStatement> ours,
      Contract contract,
      boolean protectedEnv) {
    String migration = f.id().map(MigrationId::toString).orElse(null);
    Rule unknown = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
    Severity severity = severity(unknown, contract, protectedEnv);
    if (theirs.failure().isPresent()) {
      return Optional.of(
          finding(
              unknown.id(),
              severity,
              f.shown(),
              migration,
              1,
              1,
              "the migration tool cannot read this file, so it would fail at deploy and prodguard"
                  + " cannot tell what it would run: "
                  + theirs.failure().get(),
              "",
              unknown.recipe()));
    }
    List<EngineStatements.Statement> sent = theirs.statements();
    int n = Math.max(ours.size(), sent.size());
    for (int k = 0; k < n; k++) {
      SqlStatement mine = k < ours.size() ? ours.get(k) : null;
      EngineStatements.Statement tool = k < sent.size() ? sent.get(k) : null;
      if (mine != null && tool != null && SqlCode.same(mine, tool.sql(), syntax)) {
        continue;
      }
      int line = mine != null ? mine.line() : tool.line();
      int column = mine != null ? mine.column() : 1;
      String toolSays =
          tool == null
              ? "sends nothing more"
              : "sends \u00ab" + excerpt(tool.sql()) + "\u00bb (from line " + tool.line() + ")";
      String weRead = mine == null ? "nothing" : "\u00ab" + mine.excerpt(80) + "\u00bb";
      return Optional.of(
          finding(
              unknown.id(),
              severity,
              f.shown(),
              migration,
              line,
              column,
              "the migration tool and the server's rules disagree on statement "
                  + (k + 1)
                  + ": the tool "
                  + toolSays
                  + " where prodguard reads "
                  + weRead
                  + (mine != null && tool != null ? difference(tool.sql(), mine.text()) : "")
                  + ", so prodguard cannot be sure what the server will run",
              mine == null ? excerpt(tool.sql()) : mine.excerpt(160),
              "Write the statement so that it reads the same everywhere: end comments with a"
                  + " line feed, avoid nested or executable comments, and end each statement with"
                  + " the delimiter."));
    }
    return Optional.empty();
  }

  /**
   * Where the tool's statement and prodguard's first differ (whitespace runs read as one space),
   * when the excerpts above do not show it: a few characters before, then each side on from there.
   */
  static String difference(String theirs, String ours) {
    String a = theirs.strip().replaceAll("\\s+", " ");
    String b = ours.strip().replaceAll("\\s+", " ");
    int p = 0;
    while (p < a.length() && p < b.length() && a.charAt(p) == b.charAt(p)) {
      p++;
    }
    if (p < 60) {
      return "";
    }
    int from = p - 20;
    return "; they first differ after character "
        + p
        + ": the tool's \u00ab..."
        + window(a, from)
        + "\u00bb, prodguard's \u00ab..."
        + (p >= b.length()
            ? b.substring(from) + "\u00bb (its statement ends there)"
            : window(b, from) + "\u00bb");
  }

  private static String window(String s, int from) {
    return s.length() - from > 60 ? s.substring(from, from + 57) + "..." : s.substring(from);
  }

  private static String excerpt(String sql) {
    String one = sql.strip().replaceAll("\\s+", " ");
    return one.length() > 80 ? one.substring(0, 77) + "..." : one;
  }

  private Finding finding(
      Rule rule,
      Operation op,
      String message,
      String migration,
      Contract contract,
      boolean protectedEnv) {
    SqlStatement st = op.statement();
    return finding(
        rule.id(),
        severity(rule, contract, protectedEnv),
        st.file(),
        migration,
        st.line(),
        st.column(),
        op.via() == null ? message : message + " (" + op.via() + ")",
        st.excerpt(160),
        rule.recipe(op, syntax));
  }

  private static Finding finding(
      String rule,
      Severity severity,
      String file,
      String migration,
      int line,
      int column,
      String message,
      String excerpt,
      String recipe) {
    return new Finding(
        rule,
        severity,
        new Location(file, line, column),
        migration,
        message,
        excerpt,
        recipe,
        Rules.GUARANTEE,
        null);
  }

  /**
   * The contract decides: forbidden rules (and the fail-closed ones) are errors when protected;
   * otherwise the contract's {@code severity:} entry for the rule, else its default. Null when the
   * contract turns the rule {@code off} (never a forbidden or fail-closed rule: the contract
   * refuses that).
   */
  /** The long names of this run's migration set, by the name PostgreSQL makes of each. */
  private Truncations truncations = new Truncations();

  /**
   * {@code identifier-too-long} across one migration set: on MariaDB an error (the server refuses
   * the name, the deploy fails); on PostgreSQL a warning, raised to an error for each name that
   * truncates to the same name as another, different one (two objects meant, one name made).
   */
  private static final class Truncations {
    private final Map<String, java.util.LinkedHashMap<Integer, String>> byTruncated =
        new java.util.LinkedHashMap<>();

    Finding judge(Finding f, Operation op, dev.prodguard.sql.SqlSyntax syntax) {
      return syntax == dev.prodguard.sql.SqlSyntax.POSTGRESQL ? f : raised(f, f.message());
    }

    void at(int index, Operation op, dev.prodguard.sql.SqlSyntax syntax) {
      String name = IdentifierTooLongRule.longName(op, syntax);
      if (syntax != dev.prodguard.sql.SqlSyntax.POSTGRESQL || name == null) {
        return;
      }
      byTruncated
          .computeIfAbsent(
              IdentifierTooLongRule.truncated(name), k -> new java.util.LinkedHashMap<>())
          .put(index, name);
    }

    void collisions(List<Finding> findings) {
      for (var e : byTruncated.entrySet()) {
        Set<String> distinct = new java.util.TreeSet<>(e.getValue().values());
        if (distinct.size() < 2) {
          continue;
        }
        for (var at : e.getValue().entrySet()) {
          Finding f = findings.get(at.getKey());
          findings.set(
              at.getKey(),
              raised(
                  f,
                  f.message()
                      + "; so do "
                      + String.join(
                          ", ", distinct.stream().filter(n -> !n.equals(at.getValue())).toList())
                      + " of this migration set: two names meant, one made"));
        }
      }
    }

    private static Finding raised(Finding f, String message) {
      return new Finding(
          f.rule(),
          Severity.ERROR,
          f.location(),
          f.migration(),
          message,
          f.excerpt(),
          f.recipe(),
          f.guarantee(),
          f.coveredBy());
    }
  }

  static Severity severity(Rule rule, Contract contract, boolean protectedEnv) {
    if (protectedEnv
        && (contract.isForbidden(rule.id())
            || RuleIds.ALWAYS_ERROR_ON_PROTECTED.contains(rule.id()))) {
      return Severity.ERROR;
    }
    Optional<Adoption.Level> level = contract.adoption().level(rule.id());
    return level.isPresent() ? level.get().severity().orElse(null) : rule.defaultSeverity();
  }

  /** The SHA-256 of a migration file, computed the first time it is asked for. */
  private static final class FileHash {
    private final MigrationFile file;
    private String sha256;

    FileHash(MigrationFile file) {
      this.file = file;
    }

    String get() {
      if (sha256 == null) {
        sha256 = file.sha256();
      }
      return sha256;
    }
  }

  private static Finding cover(
      Finding finding,
      Optional<MigrationId> id,
      FileHash sha256,
      Contract contract,
      Set<Contract.MigrationException> used,
      Map<Contract.MigrationException, String> unadmitted) {
    if (id.isEmpty() || RuleIds.NOT_COVERABLE.contains(finding.rule())) {
      return finding;
    }
    for (Contract.MigrationException e : contract.exceptions()) {
      if (e.rule().equals(finding.rule()) && e.migration().covers(id.get())) {
        if (!e.admits(sha256.get())) {
          unadmitted.put(e, sha256.get()); // reviewed for other content: the finding stands
          return finding;
        }
        used.add(e);
        return finding.withCover(new Cover(e.reason(), new Location(e.file(), e.line(), 1)));
      }
    }
    return finding;
  }

  /**
   * Classifies the CREATE, DROP, ALTER and RENAME statements of a migration that is not linted, to
   * learn the routines it defines and the column definitions it leaves. A file that cannot be read
   * as UTF-8 teaches nothing (it is judged where it is linted).
   */
  private void learnRoutines(MigrationSource source, Routines routines) {
    String text = decode(source.file().bytes());
    if (text == null) {
      return;
    }
    // a routine of an applied migration may move the search path when a pending one calls it
    searchPathMoves |= MOVES_SEARCH_PATH.matcher(text).find();
    splitter.split(
        new SourceFile(source.shown(), text),
        0,
        text.length(),
        st -> {
          // ALTER and RENAME too: MariaDB column definitions follow them (MODIFY is judged by them)
          if (startsWith(text, st.start(), "CREATE")
              || startsWith(text, st.start(), "DROP")
              || startsWith(text, st.start(), "ALTER")
              || startsWith(text, st.start(), "RENAME")) {
            classifier.classify(st, routines).forEach(parents::learn);
          }
        });
  }

  private static boolean startsWith(String text, int at, String word) {
    return text.regionMatches(true, at, word, 0, word.length());
  }

  /** UTF-8, or null: a file that is not valid UTF-8 cannot be trusted ({@link #notUtf8}). */
  private static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static Finding notUtf8(String path, String why) {
    Rule unknown = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
    return finding(
        unknown.id(),
        Severity.ERROR,
        path,
        null,
        1,
        1,
        (why == null ? "the file is not valid UTF-8" : why)
            + ", so its statements cannot be analysed",
        "",
        "Save the migration as UTF-8 (or in the encoding its script configuration names).");
  }

  public SqlSyntax syntax() {
    return syntax;
  }

  /** Splits and classifies one text (benchmarks and tests). Returns the operation count. */
  public int analyse(String name, String text, java.util.function.Consumer<Operation> sink) {
    int[] n = {0};
    Routines routines = new Routines();
    splitter.split(
        new SourceFile(name, text),
        0,
        text.length(),
        st ->
            classifier
                .classify(st, routines)
                .forEach(
                    op -> {
                      n[0]++;
                      sink.accept(op);
                    }));
    return n[0];
  }
}
