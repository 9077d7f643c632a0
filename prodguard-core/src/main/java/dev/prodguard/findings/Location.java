package dev.prodguard.findings;

/**
 * Where a finding is.
 *
 * @param file the file, as the report names it (relative to the report's base where it has one)
 * @param line 1-based; 0 when the finding is about a whole file
 * @param column 1-based; 0 when unknown
 */
public record Location(String file, int line, int column) {

  /** {@code file:line:column}, the way editors and the fixture files name a position. */
  public String position() {
    return file + ":" + line + ":" + column;
  }

  /** The same position in {@code otherFile} (a path made relative, for instance). */
  public Location inFile(String otherFile) {
    return new Location(otherFile, line, column);
  }
}
