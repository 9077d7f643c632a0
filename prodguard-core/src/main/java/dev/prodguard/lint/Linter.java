package dev.prodguard.lint;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.contract.RuleIds;
import dev.prodguard.dialect.Dialect;
import dev.prodguard.sql.Classifier;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Routines;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlStatement;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.sql.rules.Rule;
import dev.prodguard.sql.rules.RuleContext;
import dev.prodguard.sql.rules.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
  public static final String UNUSED_EXCEPTION = "contract-exception-unused";

  private final SqlSyntax syntax;
  private final Splitter splitter;
  private final Classifier classifier;
  private final List<Rule> rules;

  public Linter(Dialect.Kind dialect) {
    this.syntax = SqlSyntax.of(dialect);
    this.splitter = new Splitter(syntax);
    this.classifier = new Classifier(syntax);
    this.rules = Rules.all();
  }

  /** PostgreSQL, the default dialect. */
  public static LintReport lint(List<Path> files, Contract contract, boolean protectedEnv) {
    return new Linter(Dialect.Kind.POSTGRESQL).lintFiles(files, contract, protectedEnv);
  }

  /**
   * Lints these files (e.g. the pending migrations). Exceptions are checked against the migrations
   * among them only: an exception for a migration that is not in the set is not judged here.
   */
  public LintReport lintFiles(List<Path> files, Contract contract, boolean protectedEnv) {
    return lintFiles(files, List.of(), contract, protectedEnv);
  }

  /**
   * Lints {@code files}; {@code context} are the other migrations (e.g. those already applied, in
   * Flyway's order), read only for the functions and procedures they define, so that a call in
   * {@code files} is judged by the body it runs.
   */
  public LintReport lintFiles(
      List<Path> files, List<Path> context, Contract contract, boolean protectedEnv) {
    Routines routines = new Routines();
    for (Path p : context) {
      learnRoutines(p, routines);
    }
    return run(MigrationFiles.of(files), contract, protectedEnv, false, routines);
  }

  /**
   * Lints every migration under the Flyway locations; here an exception naming a migration that
   * does not exist is an error too.
   */
  public LintReport lintLocations(List<Path> locations, Contract contract, boolean protectedEnv) {
    return run(MigrationFiles.find(locations), contract, protectedEnv, true, new Routines());
  }

  LintReport run(
      List<MigrationFiles.MigrationFile> files,
      Contract contract,
      boolean protectedEnv,
      boolean complete,
      Routines routines) {
    List<Finding> findings = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Set<Contract.MigrationException> used = new HashSet<>();
    Set<MigrationId> present = new HashSet<>();
    int statements = 0;
    for (MigrationFiles.MigrationFile f : files) {
      names.add(f.path().toString());
      f.id().ifPresent(present::add);
      statements += lintFile(f, contract, protectedEnv, findings, used, routines);
    }
    for (Contract.MigrationException e : contract.exceptions()) {
      if (used.contains(e)) {
        continue;
      }
      boolean inScope = present.stream().anyMatch(id -> e.migration().covers(id));
      if (!complete && !inScope) {
        continue;
      }
      findings.add(
          new Finding(
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
              "Delete the entry from the contract, or correct its migration or rule.",
              null));
    }
    return new LintReport(names, statements, findings, contract.sha256(), protectedEnv);
  }

  private int lintFile(
      MigrationFiles.MigrationFile f,
      Contract contract,
      boolean protectedEnv,
      List<Finding> findings,
      Set<Contract.MigrationException> used,
      Routines routines) {
    String text = read(f.path(), findings);
    String name = f.path().toString();
    String migration = f.id().map(MigrationId::toString).orElse(null);
    SourceFile source = new SourceFile(name, text);
    RuleContext context = new RuleContext(contract, syntax, new HashSet<>());
    int[] count = {0};
    splitter.split(
        source,
        0,
        text.length(),
        statement -> {
          count[0]++;
          for (Operation op : classifier.classify(statement, routines)) {
            for (Rule rule : rules) {
              String message = rule.check(op, context);
              if (message != null) {
                findings.add(
                    cover(
                        finding(rule, op, message, migration, contract, protectedEnv),
                        f.id(),
                        contract,
                        used));
              }
            }
            if (op.kind() == OpKind.CREATE_TABLE
                && op.target() != null
                && !op.has(Operation.Flag.IF_EXISTS)) {
              context.createdInFile().add(op.target());
            }
          }
        });
    return count[0];
  }

  private Finding finding(
      Rule rule,
      Operation op,
      String message,
      String migration,
      Contract contract,
      boolean protectedEnv) {
    SqlStatement st = op.statement();
    return new Finding(
        rule.id(),
        severity(rule, contract, protectedEnv),
        st.file(),
        migration,
        st.line(),
        st.column(),
        op.via() == null ? message : message + " (" + op.via() + ")",
        st.excerpt(160),
        rule.recipe(),
        null);
  }

  /** The contract decides: forbidden rules (and the fail-closed ones) are errors when protected. */
  static Severity severity(Rule rule, Contract contract, boolean protectedEnv) {
    if (protectedEnv
        && (contract.isForbidden(rule.id())
            || RuleIds.ALWAYS_ERROR_ON_PROTECTED.contains(rule.id()))) {
      return Severity.ERROR;
    }
    return rule.defaultSeverity();
  }

  private static Finding cover(
      Finding finding,
      Optional<MigrationId> id,
      Contract contract,
      Set<Contract.MigrationException> used) {
    if (id.isEmpty() || RuleIds.NOT_COVERABLE.contains(finding.rule())) {
      return finding;
    }
    for (Contract.MigrationException e : contract.exceptions()) {
      if (e.rule().equals(finding.rule()) && e.migration().covers(id.get())) {
        used.add(e);
        return finding.withCover(e.reason());
      }
    }
    return finding;
  }

  /**
   * Classifies the CREATE and DROP statements of a migration that is not linted, to learn the
   * routines it defines. A file that cannot be read as UTF-8 teaches nothing (it is judged where it
   * is linted).
   */
  private void learnRoutines(Path path, Routines routines) {
    List<Finding> ignored = new ArrayList<>();
    String text = read(path, ignored);
    splitter.split(
        new SourceFile(path.toString(), text),
        0,
        text.length(),
        st -> {
          if (startsWith(text, st.start(), "CREATE") || startsWith(text, st.start(), "DROP")) {
            classifier.classify(st, routines);
          }
        });
  }

  private static boolean startsWith(String text, int at, String word) {
    return text.regionMatches(true, at, word, 0, word.length());
  }

  /** UTF-8; a file that is not valid UTF-8 cannot be trusted and becomes a finding. */
  private String read(Path path, List<Finding> findings) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      Rule unknown = Rules.byId(RuleIds.UNKNOWN_STATEMENT).orElseThrow();
      findings.add(
          new Finding(
              unknown.id(),
              Severity.ERROR,
              path.toString(),
              null,
              1,
              1,
              "the file is not valid UTF-8, so its statements cannot be analysed",
              "",
              "Save the migration as UTF-8.",
              null));
      return "";
    }
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
