package dev.prodguard.pipeline;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Approval of the connections a deploy hands to the migration tool (the database-side guards plug
 * in here and record them in {@code prodguard_session}). Called for every such connection before
 * the tool sees it; a failure refuses the connection.
 */
public interface SessionRegistrar {

  /** What a deploy is approved for; the token is one-time and only its hash is stored. */
  record Approval(String runId, String environment, String token, String tokenSha256) {
    @Override
    public String toString() {
      return "Approval[" + runId + ", " + environment + "]";
    }
  }

  /** Before the deploy hands out connections; {@code control} holds the deploy lock. */
  default void begin(Connection control, Approval approval) throws SQLException {}

  /** For each connection the migration tool will get; {@code sessionId} is the server's id. */
  void register(Connection connection, String sessionId, Approval approval) throws SQLException;

  /** When the deploy ends, successfully or not (not called when the process dies). */
  default void end(Connection control, Approval approval) throws SQLException {}

  SessionRegistrar NONE = (connection, sessionId, approval) -> {};
}
