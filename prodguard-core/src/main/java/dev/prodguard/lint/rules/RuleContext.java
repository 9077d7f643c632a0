package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.sql.SqlSyntax;
import java.util.Set;

/**
 * What a rule may consult besides the operation.
 *
 * @param createdInFile tables created earlier in the same migration file (still empty, so locking
 *     and scanning them costs nothing)
 * @param cascades which writes reach a protected table through the target's foreign keys
 */
public record RuleContext(
    Contract contract, SqlSyntax syntax, Set<String> createdInFile, Cascades cascades) {

  public RuleContext(Contract contract, SqlSyntax syntax, Set<String> createdInFile) {
    this(contract, syntax, createdInFile, Cascades.NONE);
  }

  public boolean createdHere(String table) {
    return table != null && createdInFile.contains(table);
  }
}
