package dev.prodguard.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads prodguard's SQL resources: {@code /dev/prodguard/support/<database>/<path>}. A file holds
 * statements, each ended by a line that holds only {@code ;}; comment lines ({@code --}) before a
 * statement are left out of it. {@code ${name}} placeholders are replaced with the values given
 * (quoted by the caller), any other text is sent as it is.
 */
public final class SqlResources implements DatabaseObjects {
  /** The folders of the databases under {@code dev/prodguard/support}. */
  public static final List<String> DATABASES = List.of("postgresql", "mariadb");

  private static final String ROOT = "/dev/prodguard/support/";

  private final String database;

  /**
   * @param database one of {@link #DATABASES}
   */
  public SqlResources(String database) {
    if (!DATABASES.contains(database)) {
      throw new IllegalArgumentException("no SQL resources for " + database);
    }
    this.database = database;
  }

  @Override
  public List<String> statements(String feature, int version) {
    if (!FEATURES.contains(feature)) {
      throw new IllegalArgumentException("not a versioned feature: " + feature);
    }
    if (version < 1 || version > latest(feature)) {
      return List.of();
    }
    String path = feature + "/V" + version + ".sql";
    if (!exists(database, path)) {
      throw new IllegalStateException(
          "prodguard's resources lack "
              + database
              + "/"
              + path
              + " (every database has each"
              + " version of a feature, empty when it holds nothing there)");
    }
    return read(path, Map.of());
  }

  @Override
  public List<String> metadataTable() {
    return read("metadata/V1.sql", Map.of());
  }

  /** The statements of {@code path} under this database's folder, placeholders replaced. */
  public List<String> read(String path, Map<String, String> placeholders) {
    String text = text(database, path);
    for (Map.Entry<String, String> p : placeholders.entrySet()) {
      text = text.replace("${" + p.getKey() + "}", p.getValue());
    }
    if (text.contains("${")) {
      throw new IllegalStateException(database + "/" + path + " has a placeholder not given");
    }
    return parse(text, database + "/" + path);
  }

  /** Splits a resource into its statements. */
  static List<String> parse(String text, String name) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.equals(";")) {
        if (cur.length() == 0) {
          throw new IllegalStateException(name + ": an empty statement");
        }
        out.add(cur.toString());
        cur.setLength(0);
      } else if (cur.length() == 0 && (line.isBlank() || line.startsWith("--"))) {
        continue;
      } else {
        if (cur.length() > 0) {
          cur.append('\n');
        }
        cur.append(line);
      }
    }
    if (!cur.toString().isBlank()) {
      throw new IllegalStateException(name + ": the last statement lacks its ';' line");
    }
    return List.copyOf(out);
  }

  /** The newest version of {@code feature} on any database. */
  static int latest(String feature) {
    int latest = 0;
    for (String db : DATABASES) {
      int v = 0;
      while (exists(db, feature + "/V" + (v + 1) + ".sql")) {
        v++;
      }
      latest = Math.max(latest, v);
    }
    return latest;
  }

  private static boolean exists(String database, String path) {
    return SqlResources.class.getResource(ROOT + database + "/" + path) != null;
  }

  /** The raw text of a resource, for readers and for the digest test. */
  public static String text(String database, String path) {
    try (InputStream in = SqlResources.class.getResourceAsStream(ROOT + database + "/" + path)) {
      if (in == null) {
        throw new IllegalStateException("prodguard's resources lack " + database + "/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
