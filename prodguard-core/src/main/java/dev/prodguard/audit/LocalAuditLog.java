package dev.prodguard.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Local JSON-lines audit for what happens where no database audit table can record it: refusals
 * before connecting, and re-identification of copies. One object per line, appended.
 */
public final class LocalAuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  public LocalAuditLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public void append(
      RunContext context,
      String command,
      String environment,
      String outcome,
      Map<String, String> details) {
    ObjectNode line = JSON.createObjectNode();
    line.put("at", context.clock().instant().toString());
    line.put("os_user", context.osUser());
    line.put("host", context.hostName());
    line.put("command", command);
    line.put("environment", environment);
    line.put("outcome", outcome);
    ObjectNode d = line.putObject("details");
    details.forEach((k, v) -> d.put(k, Redactor.redact(v)));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(
          file,
          JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the local audit log " + file, e);
    }
  }
}
