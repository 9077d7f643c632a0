package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.sql.SqlSyntax;
import java.util.HashSet;
import java.util.Set;

/**
 * What a rule may consult besides the operation.
 *
 * @param createdInFile tables created earlier in the same migration file by a plain {@code CREATE
 *     TABLE}: they hold no production rows yet, whatever existed before
 * @param cascades which writes reach a protected table through the target's foreign keys
 * @param createdIfNotExists tables created earlier in the same file by {@code CREATE TABLE IF NOT
 *     EXISTS}: new for the lock and rewrite rules (the file was written to build them, so locking
 *     and scanning them costs nothing), never for a protected table's writes (a protected table
 *     exists)
 * @param historyTables the configured history table ({@code migrations.table}, lower-case, its last
 *     name part) when it is not one of Flyway's defaults: one of prodguard's objects like {@code
 *     flyway_schema_history} ({@code prodguard-objects})
 */
public record RuleContext(
    Contract contract,
    SqlSyntax syntax,
    Set<String> createdInFile,
    Cascades cascades,
    Set<String> createdIfNotExists,
    Set<String> historyTables) {

  public RuleContext(Contract contract, SqlSyntax syntax, Set<String> createdInFile) {
    this(contract, syntax, createdInFile, Cascades.NONE, new HashSet<>(), Set.of());
  }

  public RuleContext(
      Contract contract, SqlSyntax syntax, Set<String> createdInFile, Cascades cascades) {
    this(contract, syntax, createdInFile, cascades, new HashSet<>(), Set.of());
  }

  public RuleContext(
      Contract contract,
      SqlSyntax syntax,
      Set<String> createdInFile,
      Cascades cascades,
      Set<String> createdIfNotExists) {
    this(contract, syntax, createdInFile, cascades, createdIfNotExists, Set.of());
  }

  /** Whether {@code name} (possibly qualified) is the configured history table. */
  public boolean historyTable(String name) {
    if (name == null || historyTables.isEmpty()) {
      return false;
    }
    String n = name.toLowerCase(java.util.Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return historyTables.contains(dot < 0 ? n : n.substring(dot + 1));
  }

  /** Created by a plain CREATE TABLE earlier in the file: holds no rows that existed before it. */
  public boolean createdHere(String table) {
    return table != null && createdInFile.contains(table);
  }

  /**
   * Created earlier in the file, also with IF NOT EXISTS: still empty when the file runs as
   * written, so locks and rewrites on it block nothing (lock and rewrite rules).
   */
  public boolean newHere(String table) {
    return createdHere(table) || (table != null && createdIfNotExists.contains(table));
  }
}
