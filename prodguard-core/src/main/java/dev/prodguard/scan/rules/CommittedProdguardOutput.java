package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.Rule;

/**
 * prodguard's own output in the repository: the local audit log ({@code .prodguard/audit.jsonl}) or
 * a backup ({@code .prodguard/backups/}, or {@code backup.directory} inside {@code .prodguard/})
 * that git tracks (or, outside git, that lies in the scanned folder). A backup holds production
 * data; once committed it is in every clone and every fork. The file itself is never read (it is
 * not code, and its refusals quote the words the other rules look for). Found by the scanner while
 * it lists files ({@link dev.prodguard.scan.Scanner}), not by looking at text.
 */
public final class CommittedProdguardOutput implements Rule {
  public static final String ID = "committed-prodguard-output";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.ERROR;
  }

  @Override
  public String summary() {
    return "prodguard's own audit log or a backup under .prodguard/ in the repository";
  }

  @Override
  public String why() {
    return "A backup holds production data and the local audit log names production's refusals:"
        + " committed, they are in every clone, fork and build artifact of the repository.";
  }

  @Override
  public String recipe() {
    return "git rm -r --cached .prodguard, add .prodguard/ to .gitignore, and keep backups off"
        + " the repository (the default state directory is outside it; backup.store: s3 on"
        + " ephemeral runners); a dump that was pushed must be treated as leaked production data.";
  }

  /** The finding for {@code path}, one of prodguard's own output files. */
  public Finding committed(String path) {
    return finding(path, 1, 1, "", message(path + " is prodguard's own output"));
  }
}
