package dev.prodguard.flyway;

import dev.prodguard.pipeline.MigrationFile;
import dev.prodguard.pipeline.MigrationFiles;
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
  private final MigrationFiles files;

  SnapshotResources(MigrationFiles files) {
    this.files = files;
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
