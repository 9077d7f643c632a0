package dev.prodguard.support;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the restore check (G9, {@code backup.restore-check}) restores of a dump: the tool's list of
 * entries to restore ({@link DumpTool#restoreCheckList}), what it leaves out because the checking
 * role cannot create it, said in words, and the tables those objects own (not compared).
 *
 * @param list the entries to restore in the tool's list format, empty to restore everything
 * @param leftOut one line per object left out, with why, e.g. {@code extension pg_stat_statements
 *     (only a superuser may create it)}
 * @param tablesLeftOut tables that belong to what was left out, named as {@link
 *     DumpTool#userTables} names them; the check does not count them
 */
public record RestoreCheckList(
    Optional<String> list, List<String> leftOut, Set<String> tablesLeftOut) {

  /** Everything is restored. */
  public static RestoreCheckList everything() {
    return new RestoreCheckList(Optional.empty(), List.of(), Set.of());
  }
}
