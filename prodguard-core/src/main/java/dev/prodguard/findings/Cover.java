package dev.prodguard.findings;

/**
 * The reviewed contract entry that covers a finding: a covered finding is reported but does not
 * fail.
 *
 * @param reason the entry's reason
 * @param entry where the entry is in the contract, or null when not known
 */
public record Cover(String reason, Location entry) {
  public Cover {
    if (reason == null) {
      throw new IllegalArgumentException("a cover needs the contract entry's reason");
    }
  }

  /** The reason, followed by the entry's {@code file:line} when known. */
  public String justification() {
    return entry == null ? reason : reason + " (" + entry.file() + ":" + entry.line() + ")";
  }
}
