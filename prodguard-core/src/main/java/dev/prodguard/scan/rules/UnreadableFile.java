package dev.prodguard.scan.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.Rule;

/**
 * A file of the repository that could hold commands or settings (a script, configuration, build or
 * source file by its name, an executable, a shebang) and that the scan cannot read: a name that is
 * not UTF-8, a NUL byte, a size past the scan's limit. Skipping it silently would let an escape
 * hatch through by padding or renaming it; a file that is really data can be named in a reviewed
 * {@code scan-exceptions} entry. Found by the scanner while it reads files ({@link
 * dev.prodguard.scan.Scanner}), not by looking at text.
 */
public final class UnreadableFile implements Rule {
  public static final String ID = "unreadable-file";

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
    return "A tracked file that could hold commands or settings and that the scan cannot read";
  }

  @Override
  public String why() {
    return "What the scan cannot read it cannot judge: a script renamed to a name that is not"
        + " UTF-8, given a NUL byte or padded past the size limit would otherwise pass unseen.";
  }

  @Override
  public String recipe() {
    return "Rename the file to a UTF-8 name, remove the NUL bytes, or split it below the limit;"
        + " if it is data rather than code, name it in a reviewed scan-exceptions entry.";
  }

  /** The finding for {@code path} ({@code why}: what makes it unreadable). */
  public Finding unreadable(String path, String why) {
    return finding(path, 1, 1, "", message(path + " cannot be scanned: " + why));
  }
}
