package dev.prodguard.audit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest audit row this process appended, per environment (G10): a command prints it so that CI
 * logs keep every head, and {@code audit verify --expect-head} can later catch deletion of the
 * newest rows that nothing else in the database accounts for. Kept apart from {@link AuditLog} so
 * that every command's start and end (Main) does not load the JSON mapper the log needs.
 */
public final class AuditHeads {
  private static final Map<String, AuditLog.Entry> APPENDED = new ConcurrentHashMap<>();

  private AuditHeads() {}

  /** Records {@code stored} as appended to {@code environment}'s log; the newest seq wins. */
  static void appended(String environment, AuditLog.Entry stored) {
    APPENDED.merge(environment, stored, (a, b) -> b.seq() >= a.seq() ? b : a);
  }

  /** The heads appended since {@link #forget()}, by environment name. */
  public static Map<String, AuditLog.Entry> appended() {
    return new TreeMap<>(APPENDED);
  }

  /** Starts a new command's record of appended heads. */
  public static void forget() {
    APPENDED.clear();
  }

  /** The line a command prints for a head it appended. */
  public static String line(String environment, AuditLog.Entry head) {
    return line(environment, environment, head);
  }

  /**
   * The line for a head appended to {@code environment}, which a command line names {@code address}
   * ({@code t01 --fleet tenants} for a fleet's target: {@code ProdguardConfig#address}).
   */
  public static String line(String environment, String address, AuditLog.Entry head) {
    String h = head.seq() + ":" + head.hash();
    return "prodguard: audit head of '"
        + environment
        + "' is now "
        + h
        + " (keep it: 'prodguard audit verify "
        + address
        + " --expect-head "
        + h
        + "' catches deletion of newer rows)";
  }
}
