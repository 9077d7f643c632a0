package dev.prodguard.config;

/**
 * A command used where it cannot work, with nothing wrong in the configuration (trace of a
 * MySQL/MariaDB environment): exit 2 like a configuration error, said as what it is.
 */
public class UsageException extends ConfigException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }

  @Override
  public String render() {
    return "prodguard: " + getMessage().replace("\n", "\n  ");
  }
}
