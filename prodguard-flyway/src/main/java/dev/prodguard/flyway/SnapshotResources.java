package dev.prodguard.flyway;

import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
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
  private final MigrationFiles files;

  /**
   * @throws dev.prodguard.config.ConfigException when a script configuration is malformed ({@link
   *     ScriptConfiguration#read})
   */
  SnapshotResources(MigrationFiles files) {
    for (MigrationFile f : files.all()) {
      if (f.relativePath().endsWith(".sql.conf")) {
        ScriptConfiguration.read(f);
      }
    }
    this.files = files;
  }

  @Override
  public LoadableResource getResource(String name) {
    return files.find(name).map(f -> new Resource(f, charset(f))).orElse(null);
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
          out.add(new Resource(f, charset(f)));
          break;
        }
      }
    }
    return out;
  }

  /** A script in its configured encoding ({@code encoding} of its script configuration). */
  private Charset charset(MigrationFile f) {
    return f.relativePath().endsWith(".conf")
        ? StandardCharsets.UTF_8
        : ScriptConfiguration.of(files, f).charset();
  }

  /** One file of the snapshot, read in {@code charset}. */
  static final class Resource extends LoadableResource {
    private final MigrationFile file;
    private final Charset charset;

    Resource(MigrationFile file, Charset charset) {
      this.file = file;
      this.charset = charset;
    }

    @Override
    public Reader read() {
      return new InputStreamReader(file.open(), charset);
    }

    /**
     * What {@link #read()} reads, as one string; null when the bytes are not valid in the charset
     * (the reader would replace them: then only Flyway's own reading says what it parses).
     */
    String text() {
      try {
        return charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(file.bytes()))
            .toString();
      } catch (CharacterCodingException e) {
        return null;
      }
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
