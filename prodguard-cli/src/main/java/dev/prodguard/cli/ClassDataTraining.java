package dev.prodguard.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Build-time training run for the class-data-sharing archive the launchers use (prodguard-cli's
 * pom, {@code scripts/install}); not a command. Run with {@code -XX:DumpLoadedClassList}, it runs
 * the prodguard command of its arguments (a lint of {@code src/cds}), then loads, without
 * initialising them, the classes of the packages a pipeline command ({@code verify}, {@code
 * backup}, {@code deploy}, {@code promote}, {@code status}) runs: those need a database, which a
 * build does not have. Loading runs no static initialiser, so nothing connects or writes; a class
 * whose optional dependency is not in the jar is skipped. The JVM lists what was loaded; {@code
 * -Xshare:dump} archives that list, and a later start maps those classes instead of reading and
 * verifying them one by one.
 */
public final class ClassDataTraining {
  /** Packages of the pipeline commands: prodguard, Flyway, the JDBC drivers, CLI, YAML, JSON. */
  static final List<String> PACKAGES =
      List.of(
          "dev/prodguard/",
          "org/flywaydb/core/",
          "org/flywaydb/database/",
          "org/postgresql/",
          "org/mariadb/jdbc/",
          "picocli/",
          "org/snakeyaml/",
          "com/fasterxml/jackson/core/",
          "com/fasterxml/jackson/databind/");

  private ClassDataTraining() {}

  public static void main(String[] args) throws IOException, URISyntaxException {
    int exit = Main.run(args);
    int loaded = load(ClassDataTraining.class.getClassLoader());
    System.err.println(summary(exit, loaded));
    if (exit != Main.OK && exit != Main.REFUSED) {
      System.exit(exit); // a training command that failed is a broken build, not an archive
    }
  }

  /**
   * The one line the build prints. The training migrations ({@code src/cds}) hold forbidden
   * statements on purpose, so that the lint loads the classes that report errors: its exit 1
   * (findings at error level) is the expected outcome, not a failure, and the line says so.
   */
  static String summary(int exit, int loaded) {
    return switch (exit) {
      case Main.OK -> "class-data training: " + loaded + " classes loaded for the archive";
      case Main.REFUSED ->
          "class-data training: "
              + loaded
              + " classes loaded for the archive (the training lint reported the error-level"
              + " findings its migrations hold on purpose, as expected)";
      default ->
          "class-data training failed: the training command exited "
              + exit
              + " (no archive is written from it)";
    };
  }

  static int load(ClassLoader loader) throws IOException, URISyntaxException {
    Path jar =
        Path.of(
            ClassDataTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    int loaded = 0;
    try (JarFile j = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = j.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (!name.endsWith(".class")
            || name.startsWith("META-INF/")
            || name.endsWith("module-info.class")
            || name.endsWith("package-info.class")
            || PACKAGES.stream().noneMatch(name::startsWith)) {
          continue;
        }
        String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
        try {
          Class.forName(className, false, loader);
          loaded++;
        } catch (LinkageError | ClassNotFoundException e) {
          // an optional dependency that is not in the jar: that class is simply not archived
        }
      }
    }
    return loaded;
  }
}
