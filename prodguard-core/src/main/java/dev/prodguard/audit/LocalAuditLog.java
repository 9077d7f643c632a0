package dev.prodguard.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prodguard.config.PrivateDirectory;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
    // a command line may carry a URL with its password (--scratch-url): masked like details
    line.put("command", Redactor.redact(command));
    line.put("environment", environment);
    line.put("outcome", outcome);
    ObjectNode d = line.putObject("details");
    details.forEach((k, v) -> d.put(k, Redactor.redact(v)));
    checkPrivate();
    try {
      Files.writeString(
          file,
          JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          LinkOption.NOFOLLOW_LINKS);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the local audit log " + file, e);
    }
  }

  /**
   * G10: the log's folder (the state directory) must be one only this user can change, and the log
   * itself a plain file, not a link: another local user must not be able to rewrite or redirect it.
   * Creates the folder (mode 0700) when missing. Call it before work whose record must land here.
   *
   * @throws GuardRefusal (G10) when the folder or the file is not private
   * @throws UncheckedIOException when the folder cannot be created
   */
  public void checkPrivate() {
    Path dir = file.toAbsolutePath().getParent();
    try {
      PrivateDirectory.ensure(dir);
      if (Files.isSymbolicLink(file)) {
        throw new PrivateDirectory.NotPrivate(
            file, "it is a symbolic link (to " + Files.readSymbolicLink(file) + ")");
      }
    } catch (PrivateDirectory.NotPrivate e) {
      throw new GuardRefusal(
          Guarantee.G10,
          "write the local audit log " + file,
          e.getFile() + " is not private: " + e.getReason(),
          e.fix()
              + " (the state directory is set by 'state-directory' in prodguard.yml or"
              + " PRODGUARD_STATE_DIR)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the state directory " + dir, e);
    }
  }
}
