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
 */
public record EngineStatements(List<Statement> statements, Optional<String> failure) {

  /** One statement as the tool sends it; {@code line} is 1-based in the file. */
  public record Statement(int line, String sql) {}

  public EngineStatements {
    statements = List.copyOf(statements);
  }

  public static EngineStatements of(List<Statement> statements) {
    return new EngineStatements(statements, Optional.empty());
  }

  public static EngineStatements failed(String why) {
    return new EngineStatements(List.of(), Optional.of(why));
  }
}
