package dev.prodguard.scan.read;

import dev.prodguard.scan.FileKind;
import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the key/value settings of a file with the parser that fits its kind (properties, YAML,
 * TOML, JSON, XML) plus precise patterns for assignments inside scripts and code ({@code
 * KEY=value}, {@code -Dkey=value}, {@code --key=value}, Gradle {@code key = value}, fluent {@code
 * .key(value)}).
 */
public final class SettingsReader {
  /** KEY=value, -Dkey=value, --key=value, -key=value, KEY := value (Makefiles). */
  private static final Pattern INLINE =
      Pattern.compile(
          "(?<![^\\s\"'`;&|(\\[{,])(?:-D|--|-)?([A-Za-z_%][\\w.%-]*)[ \\t]*(?:\\?|:|\\+)?=[ \\t]*"
              + "(\"[^\"\\n]*\"|'[^'\\n]*'|[^\\s;&|)\"'`=,\\]}][^\\s;&|)\"'`]*)");

  /** "key", "value" / "key" to "value" / 'key': 'value' in JVM code and build scripts. */
  private static final Pattern PAIR =
      Pattern.compile(
          "([\"'])([A-Za-z_%][\\w.%-]*)\\1\\s*(?:,|\\bto\\b|:)\\s*([\"'])([^\"'\\n]*)\\3");

  /** .name(true) / .name("a", "b") fluent builder calls; name.set(value) in Gradle Kotlin DSL. */
  private static final Pattern FLUENT =
      Pattern.compile(
          "\\.([A-Za-z_]\\w*)\\(\\s*(true|false|\"[^\"\\n]*\"(?:\\s*,\\s*\"[^\"\\n]*\")*)\\s*\\)");

  private static final Pattern GRADLE_SET =
      Pattern.compile("\\b([A-Za-z_]\\w*)\\.set\\(\\s*(true|false|\"[^\"\\n]*\")\\s*\\)");

  private static final Pattern DOCKER_ENV =
      Pattern.compile("(?im)^[ \\t]*ENV[ \\t]+([A-Za-z_]\\w*)[ \\t]+([^=\\s][^\\n]*)$");

  private SettingsReader() {}

  public static List<Setting> read(ScanFile f) {
    List<Setting> out = new ArrayList<>();
    switch (f.kind()) {
      case PROPERTIES -> PropertiesReader.read(f, out);
      case YAML -> {
        YamlReader.read(f, out);
        inline(f, out);
      }
      case TOML -> TomlReader.read(f, out);
      case JSON, PACKAGE_JSON -> {
        JsonReader.read(f, out);
        inline(f, out);
      }
      case MAVEN_POM, XML -> {
        XmlReader.read(f, out);
        inline(f, out);
      }
      case JAVA, KOTLIN, GROOVY, GRADLE -> {
        inline(f, out);
        pattern(f, PAIR, 2, 4, Setting.Origin.PAIR, out);
        pattern(f, FLUENT, 1, 2, Setting.Origin.FLUENT, out);
        pattern(f, GRADLE_SET, 1, 2, Setting.Origin.FLUENT, out);
        flywayBlock(f, out);
      }
      case DOCKERFILE -> {
        inline(f, out);
        pattern(f, DOCKER_ENV, 1, 2, Setting.Origin.INLINE, out);
      }
      case SHELL, WINDOWS_SCRIPT, MAKEFILE, DOTENV, OTHER -> inline(f, out);
      case SQL, DOC -> {
        // not configuration
      }
    }
    if (f.kind() != FileKind.SQL && f.kind() != FileKind.DOC && mentionsApplicationJson(f)) {
      SpringApplicationJson.read(f, out);
    }
    return out;
  }

  private static boolean mentionsApplicationJson(ScanFile f) {
    String lower = f.codeLower();
    return lower.contains("spring_application_json") || lower.contains("spring.application.json");
  }

  static void inline(ScanFile f, List<Setting> out) {
    pattern(f, INLINE, 1, 2, Setting.Origin.INLINE, out);
  }

  /** {@code flyway {} opening the Flyway Gradle plugin's extension block. */
  private static final Pattern FLYWAY_BLOCK = Pattern.compile("\\bflyway\\s*\\{");

  /** {@code name = value} (Kotlin DSL) or {@code name value} / {@code name = value} (Groovy). */
  private static final Pattern BLOCK_ASSIGN =
      Pattern.compile(
          "(?m)^[ \\t]*([A-Za-z_]\\w*)[ \\t]*(?:=[ \\t]*|[ \\t]+(?=[\"'\\[A-Za-z]))([^\\n]+)$");

  /**
   * The assignments inside a Gradle build's {@code flyway { ... }} block ({@code placeholderPrefix
   * = "@@"}, {@code locations = arrayOf("filesystem:db/other")}), read as {@code flyway.name}: the
   * plugin's own settings, whatever the value (a name or an expression is kept as written, for the
   * rules to judge; {@code arrayOf(...)}, {@code listOf(...)}, {@code [...]} become their entries
   * joined with commas).
   */
  private static void flywayBlock(ScanFile f, List<Setting> out) {
    String code = f.code();
    Matcher b = FLYWAY_BLOCK.matcher(code);
    while (b.find()) {
      int open = b.end() - 1;
      int depth = 0;
      int end = code.length();
      for (int i = open; i < code.length(); i++) {
        char c = code.charAt(i);
        if (c == '{') {
          depth++;
        } else if (c == '}' && --depth == 0) {
          end = i;
          break;
        }
      }
      Matcher m = BLOCK_ASSIGN.matcher(code).region(open + 1, end);
      while (m.find()) {
        String value = m.group(2).trim();
        int comment = value.indexOf("//");
        if (comment >= 0 && !value.substring(0, comment).contains("\"")) {
          value = value.substring(0, comment).trim();
        }
        Matcher list = LIST_EXPR.matcher(value);
        if (list.matches()) {
          value =
              (list.group(1) != null ? list.group(1) : list.group(2)).replaceAll("[\"'\\s]", "");
        }
        int at = m.start(1);
        int line = f.line(at);
        int column = f.column(at);
        String name = m.group(1);
        // the same assignment read as free text (name = value) is this one
        out.removeIf(x -> x.line() == line && x.column() == column && x.key().equals(name));
        out.add(
            new Setting(
                "flyway." + m.group(1),
                unquote(value),
                f.line(at),
                f.column(at),
                null,
                Setting.Origin.STRUCTURED));
      }
    }
  }

  private static final Pattern LIST_EXPR =
      Pattern.compile("(?:arrayOf|listOf|mutableListOf|setOf)\\s*\\((.*)\\)|\\[(.*)]");

  private static void pattern(
      ScanFile f,
      Pattern p,
      int keyGroup,
      int valueGroup,
      Setting.Origin origin,
      List<Setting> out) {
    String code = f.code();
    if (p == INLINE && code.indexOf('=') < 0) {
      return;
    }
    Matcher m = p.matcher(code);
    while (m.find()) {
      String key = m.group(keyGroup);
      String value = unquote(m.group(valueGroup).trim());
      int at = m.start(keyGroup);
      String profile = null;
      if (key.startsWith("%") && key.indexOf('.') > 1) {
        profile = key.substring(1, key.indexOf('.'));
        key = key.substring(key.indexOf('.') + 1);
      }
      out.add(new Setting(key, value, f.line(at), f.column(at), profile, origin));
    }
  }

  static String unquote(String v) {
    if (v.length() >= 2) {
      char a = v.charAt(0);
      char b = v.charAt(v.length() - 1);
      if ((a == '"' || a == '\'') && a == b) {
        return v.substring(1, v.length() - 1);
      }
    }
    return v;
  }

  /** Splits a Quarkus-style {@code %profile.key} into profile and key. */
  static Setting withProfile(String key, String value, int line, int column, String profile) {
    if (key.startsWith("%") && key.indexOf('.') > 1) {
      return new Setting(
          key.substring(key.indexOf('.') + 1),
          value,
          line,
          column,
          key.substring(1, key.indexOf('.')));
    }
    return new Setting(key, value, line, column, profile);
  }
}
