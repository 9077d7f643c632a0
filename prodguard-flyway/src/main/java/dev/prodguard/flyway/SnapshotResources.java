package dev.prodguard.flyway;

import dev.prodguard.config.ConfigException;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Serves Flyway the snapshot prodguard hashed, instead of letting it scan folders or the classpath:
 * a file changed after the hash was taken cannot be what runs.
 */
final class SnapshotResources implements ResourceProvider {
  /** The one key of a Flyway script configuration ({@code V3__x.sql.conf}) prodguard serves. */
  static final String EXECUTE_IN_TRANSACTION = "executeInTransaction";

  private final MigrationFiles files;

  SnapshotResources(MigrationFiles files) {
    for (MigrationFile f : files.all()) {
      if (f.relativePath().endsWith(".sql.conf")) {
        checkScriptConfiguration(f);
      }
    }
    this.files = files;
  }

  /**
   * A script configuration may say {@code executeInTransaction=true|false} (G7: PostgreSQL
   * statements such as {@code REINDEX ... CONCURRENTLY} or {@code DETACH PARTITION ...
   * CONCURRENTLY}, which Flyway's parser does not recognise, need {@code false}), nothing else:
   * {@code shouldExecute}, {@code encoding} and {@code placeholderReplacement} would make what runs
   * differ from what prodguard hashed and analysed, so they are a configuration error.
   */
  static void checkScriptConfiguration(MigrationFile f) {
    String text = new String(f.bytes(), StandardCharsets.UTF_8);
    String[] lines = text.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = (eq < 0 ? line : line.substring(0, eq)).strip();
      String value = eq < 0 ? "" : line.substring(eq + 1).strip();
      if (!key.equals(EXECUTE_IN_TRANSACTION) || !(value.equals("true") || value.equals("false"))) {
        throw new ConfigException(
            f.location() + "/" + f.relativePath(),
            i + 1,
            key,
            "a script configuration may only set "
                + EXECUTE_IN_TRANSACTION
                + "=true or =false; prodguard runs exactly the SQL it hashed and analysed, so"
                + " other settings (shouldExecute, encoding, placeholderReplacement) are not"
                + " supported");
      }
    }
  }

  @Override
  public LoadableResource getResource(String name) {
    return files.find(name).map(Resource::new).orElse(null);
  }

  @Override
  public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
    List<LoadableResource> out = new ArrayList<>();
    for (MigrationFile f : files.all()) {
      String name = f.fileName();
      if (!name.startsWith(prefix)) {
        continue;
      }
      for (String suffix : suffixes) {
        if (name.endsWith(suffix)) {
          out.add(new Resource(f));
          break;
        }
      }
    }
    return out;
  }

  /** One file of the snapshot. */
  static final class Resource extends LoadableResource {
    private final MigrationFile file;

    Resource(MigrationFile file) {
      this.file = file;
    }

    @Override
    public Reader read() {
      return new InputStreamReader(file.open(), StandardCharsets.UTF_8);
    }

    @Override
    public String getAbsolutePath() {
      return file.relativePath();
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return file.relativePath();
    }

    @Override
    public String getFilename() {
      return file.fileName();
    }

    @Override
    public String getRelativePath() {
      return file.relativePath();
    }
  }
}
