package dev.prodguard.scan;

import java.util.Locale;

/** What a file is, judged by its name (and a shebang for extension-less scripts). */
public enum FileKind {
  PROPERTIES,
  YAML,
  TOML,
  DOTENV,
  SHELL,
  WINDOWS_SCRIPT,
  MAKEFILE,
  DOCKERFILE,
  MAVEN_POM,
  XML,
  GRADLE,
  JAVA,
  KOTLIN,
  GROOVY,
  PACKAGE_JSON,
  JSON,
  SQL,
  DOC,
  OTHER;

  /** Detects the kind of {@code path} (relative, forward slashes); {@code text} for shebangs. */
  public static FileKind of(String path, String text) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("pom.xml")) {
      return MAVEN_POM;
    }
    if (lower.equals("package.json")) {
      return PACKAGE_JSON;
    }
    if (lower.equals("makefile") || lower.equals("gnumakefile") || lower.endsWith(".mk")) {
      return MAKEFILE;
    }
    if (lower.equals("dockerfile")
        || lower.startsWith("dockerfile.")
        || lower.endsWith(".dockerfile")
        || lower.equals("containerfile")) {
      return DOCKERFILE;
    }
    if (lower.equals("jenkinsfile") || lower.endsWith(".groovy")) {
      return GROOVY;
    }
    if (lower.equals(".env") || lower.startsWith(".env.") || lower.endsWith(".env")) {
      return DOTENV;
    }
    if (lower.endsWith(".gradle") || lower.endsWith(".gradle.kts")) {
      return GRADLE;
    }
    String ext = lower.lastIndexOf('.') < 0 ? "" : lower.substring(lower.lastIndexOf('.') + 1);
    switch (ext) {
      case "properties", "conf", "cfg", "ini" -> {
        return PROPERTIES;
      }
      case "yml", "yaml" -> {
        return YAML;
      }
      case "toml" -> {
        return TOML;
      }
      case "sh", "bash", "zsh", "ksh", "envrc" -> {
        return SHELL;
      }
      case "cmd", "bat", "ps1" -> {
        return WINDOWS_SCRIPT;
      }
      case "xml" -> {
        return XML;
      }
      case "java" -> {
        return JAVA;
      }
      case "kt", "kts" -> {
        return KOTLIN;
      }
      case "json" -> {
        return JSON;
      }
      case "sql" -> {
        return SQL;
      }
      case "md", "markdown", "adoc", "asciidoc", "rst", "txt" -> {
        return DOC;
      }
      default -> {
        // fall through to the shebang
      }
    }
    if (lower.equals(".envrc")) {
      return SHELL;
    }
    if (text.startsWith("#!")) {
      int eol = text.indexOf('\n');
      String shebang = eol < 0 ? text : text.substring(0, eol);
      if (shebang.matches("#!.*\\b(ba|z|k|da)?sh\\b.*")) {
        return SHELL;
      }
    }
    return OTHER;
  }

  /** JVM languages whose comments are {@code //} and {@code /* *}{@code /}. */
  public boolean isJvmSource() {
    return this == JAVA || this == KOTLIN || this == GROOVY || this == GRADLE;
  }
}
