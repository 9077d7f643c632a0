package dev.prodguard.db;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;

/**
 * What prodguard knows about the process it runs in: environment variables, clock, OS user and
 * host. Passed explicitly so that tests can play a laptop or a CI runner without mutating the JVM.
 */
public record RunContext(Map<String, String> env, Clock clock, String osUser, String hostName) {

  public RunContext {
    env = Map.copyOf(env);
  }

  public static RunContext system() {
    return new RunContext(
        System.getenv(), Clock.systemUTC(), System.getProperty("user.name", "?"), localHost());
  }

  public static RunContext of(Map<String, String> env) {
    return new RunContext(env, Clock.systemUTC(), "test", "localhost");
  }

  /** The process claims to be CI ({@code CI=true} exactly). A claim, not a proof: see G1. */
  public boolean claimsCi() {
    return "true".equals(env.get("CI"));
  }

  public String get(String name) {
    return env.get(name);
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown-host";
    }
  }
}
