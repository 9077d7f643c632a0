package dev.prodguard.config;

import dev.prodguard.db.Redactor;
import java.nio.file.Path;

/** A configuration or usage error (exit code 2) naming the file, line and key at fault. */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String key;

  public ConfigException(String file, int line, String key, String message) {
    super(Redactor.redact(message));
    this.file = file;
    this.line = line;
    this.key = key;
  }

  public ConfigException(Path file, int line, String key, String message) {
    this(file == null ? null : file.toString(), line, key, message);
  }

  /** A configuration problem that has no position in a file. */
  public ConfigException(String message) {
    this((String) null, 0, null, message);
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String key() {
    return key;
  }

  public String render() {
    StringBuilder sb = new StringBuilder("prodguard: configuration error");
    if (file != null) {
      sb.append(" in ").append(file);
      if (line > 0) {
        sb.append(':').append(line);
      }
    }
    if (key != null) {
      sb.append(" (key '").append(key).append("')");
    }
    return sb.append("\n  ").append(getMessage().replace("\n", "\n  ")).toString();
  }
}
