package dev.prodguard.migration;

import java.util.List;
import java.util.Optional;

/**
 * What the migration tool will send to the server for one file: its own parser's statements, in
 * order, each with the line it starts on and the text sent (Flyway placeholders as written in the
 * file), or why the tool cannot read the file (it would fail at migrate time). {@code lint} and
 * {@code verify} compare it with prodguard's split (G4).
 *
 * @param failure empty when the tool could split the file
 * @param executeInTransaction what the file's script configuration says (Flyway: {@code
 *     executeInTransaction} in {@code V2__x.sql.conf}); empty when it says nothing, then the tool
 *     decides from the statements
 */
public record EngineStatements(
    List<Statement> statements, Optional<String> failure, Optional<Boolean> executeInTransaction) {

  /**
   * One statement as the tool sends it; {@code line} is 1-based in the file; {@code transactional}:
   * the tool knows it may run inside a transaction (Flyway runs a file with a statement it knows
   * cannot outside one).
   */
  public record Statement(int line, String sql, boolean transactional) {
    public Statement(int line, String sql) {
      this(line, sql, true);
    }
  }

  public EngineStatements {
    statements = List.copyOf(statements);
  }

  public EngineStatements(List<Statement> statements, Optional<String> failure) {
    this(statements, failure, Optional.empty());
  }

  public static EngineStatements of(List<Statement> statements) {
    return new EngineStatements(statements, Optional.empty());
  }

  public static EngineStatements of(List<Statement> statements, Optional<Boolean> inTransaction) {
    return new EngineStatements(statements, Optional.empty(), inTransaction);
  }

  public static EngineStatements failed(String why) {
    return new EngineStatements(List.of(), Optional.of(why));
  }
}
