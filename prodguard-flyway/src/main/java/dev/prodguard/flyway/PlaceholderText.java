package dev.prodguard.flyway;

import dev.prodguard.migration.Placeholders;
import dev.prodguard.migration.ScriptText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replaces placeholders in a script's text as Flyway's {@code PlaceholderReplacingReader} does
 * before its parser and the server see it: from each prefix to the next suffix is a name, looked up
 * ignoring case; the value replaces it everywhere (strings and comments too), an empty value
 * removes it; a name without a value stops the migration ("No value provided for placeholder"), as
 * does a prefix never closed. Flyway's built-in placeholders ({@code flyway:defaultSchema}, {@code
 * flyway:user}, {@code flyway:database}, {@code flyway:timestamp}, {@code flyway:filename}, {@code
 * flyway:workingDirectory}, {@code flyway:table}, {@code flyway:environment}) get their values from
 * the database and the run: they stay, written {@code ${flyway:name}}, for the analysis to judge
 * (docs/lint.md). A configured placeholder whose value is not known here stays as {@code ${name}}
 * and is reported as unknown. Every placeholder replaced is listed ({@link ScriptText.Replaced}),
 * the built-ins whose value the file and Flyway alone fix ({@link #SETTLED}) marked settled: a
 * callback runs with whatever values the Flyway that runs it has, so lint judges that list for
 * callbacks. {@link FlywayStatements} checks the result against Flyway's own reader: a disagreement
 * is an {@code unknown-statement} finding.
 */
final class PlaceholderText {
  /**
   * Flyway's {@code placeholderSeparator} for its built-in placeholders (prodguard sets no other).
   */
  static final String SEPARATOR = ":";

  static final List<String> BUILT_IN =
      List.of(
          "defaultSchema",
          "user",
          "database",
          "timestamp",
          "filename",
          "workingDirectory",
          "table",
          "environment");

  /**
   * The built-ins whose value no configuration of Flyway's sets (Flyway's {@code
   * ParsingContext.populate}): {@code timestamp} is the time Flyway formats as {@code yyyy-MM-dd
   * HH:mm:ss}, {@code filename} the script's own file name (a name that could end a string or start
   * a comment is refused for every file, {@code Linter}). The others come from the configuration or
   * the connection of whoever runs Flyway ({@code defaultSchema}: its {@code defaultSchema} or
   * first of {@code schemas}; {@code table}: its {@code table}; {@code environment}: its
   * environment name; {@code user} and {@code database}: the connection, on MariaDB/MySQL the user
   * name the client sent ({@code USER()}) and a database its URL may create; {@code
   * workingDirectory}: its working directory) and may hold any text.
   */
  static final List<String> SETTLED = List.of("timestamp", "filename");

  private PlaceholderText() {}

  static ScriptText replace(String text, Placeholders placeholders) {
    String prefix = placeholders.prefix();
    String suffix = placeholders.suffix();
    Map<String, String> unknown = placeholders.unknown();
    if (!text.contains(prefix)) {
      return ScriptText.of(text, List.of(), List.of(), inDefaultSyntax(text, prefix, suffix));
    }
    StringBuilder out = new StringBuilder(text.length());
    Literal literal = new Literal();
    List<ScriptText.Unknown> unknownSpans = new ArrayList<>();
    List<ScriptText.Refusal> refusals = new ArrayList<>();
    List<ScriptText.Replaced> replaced = new ArrayList<>();
    Cursor cursor = new Cursor(text);
    int n = text.length();
    int i = 0;
    while (i < n) {
      // Flyway's reader reads ahead while what it read could still begin the prefix; when it does
      // not, everything read ahead passes through unexamined ("$${x}" is text, not a placeholder).
      int k = 0;
      do {
        k++;
      } while (k < prefix.length() && i + k < n && text.regionMatches(i, prefix, 0, k));
      if (k != prefix.length() || !text.regionMatches(i, prefix, 0, k)) {
        out.append(text, i, Math.min(n, i + k));
        i += k;
        continue;
      }
      int p = i;
      int nameStart = p + prefix.length();
      int q = text.indexOf(suffix, nameStart);
      if (q < 0) {
        refusals.add(
            new ScriptText.Refusal(
                line(text, p),
                "Flyway reads a placeholder from "
                    + prefix
                    + " here to the end of the file: it is never closed with "
                    + suffix,
                "Close the placeholder, or set placeholderReplacement=false in the file's script"
                    + " configuration if the text is not a placeholder."));
        out.append(text, p, text.length());
        break;
      }
      String name = text.substring(nameStart, q);
      int next = q + suffix.length();
      String builtIn = builtIn(name);
      String value = lookup(placeholders.known(), name);
      cursor.to(p);
      replaced.add(
          new ScriptText.Replaced(
              cursor.line,
              p - cursor.lineStart + 1,
              prefix + name + suffix,
              builtIn != null && SETTLED.contains(builtIn)));
      if (builtIn != null) {
        out.append("${flyway:").append(builtIn).append('}');
      } else if (value != null) {
        literal.advance(text, p);
        if (literal.inString() && value.replace("''", "").indexOf('\'') >= 0) {
          refusals.add(
              new ScriptText.Refusal(
                  line(text, p),
                  "the value of placeholder "
                      + prefix
                      + name
                      + suffix
                      + " holds a quote (') that ends the SQL string literal it is placed in: the"
                      + " server reads the rest of the value as SQL, fails on it and quotes it in"
                      + " its error",
                  "Give the placeholder a value without a single quote (for a generated"
                      + " credential, generate one without), or double each quote in the value"
                      + " ('').",
                  true));
        }
        out.append(value);
      } else if (lookup(unknown, name) != null) {
        int start = out.length();
        out.append("${").append(configuredName(unknown, name)).append('}');
        unknownSpans.add(
            new ScriptText.Unknown(
                start, out.length(), prefix + name + suffix, lookup(unknown, name)));
      } else {
        boolean flyway = name.toLowerCase(Locale.ROOT).startsWith("flyway" + SEPARATOR);
        refusals.add(
            new ScriptText.Refusal(
                line(text, p),
                flyway
                    ? "Flyway has no built-in placeholder "
                        + prefix
                        + name
                        + suffix
                        + " (\"Failed to populate value for default placeholder\")"
                    : "Flyway has no value for placeholder "
                        + prefix
                        + name
                        + suffix
                        + " and stops the deploy on it (\"No value provided for placeholder\")",
                flyway
                    ? "Use one of Flyway's built-in placeholders (flyway:"
                        + String.join(", flyway:", BUILT_IN)
                        + ")."
                    : "Give it a value under migrations.placeholders in prodguard.yml (a value may"
                        + " read ${VAR} from the environment), or, if the text is not a"
                        + " placeholder, set placeholderReplacement=false in the file's script"
                        + " configuration."));
        out.append(text, p, next);
      }
      i = next;
    }
    List<ScriptText.Replaced> both = new ArrayList<>(replaced);
    for (ScriptText.Replaced d : inDefaultSyntax(text, prefix, suffix)) {
      if (replaced.stream().noneMatch(r -> r.line() == d.line() && r.column() == d.column())) {
        both.add(d);
      }
    }
    both.sort(
        java.util.Comparator.comparingInt(ScriptText.Replaced::line)
            .thenComparingInt(ScriptText.Replaced::column));
    return ScriptText.of(out.toString(), unknownSpans, refusals, both);
  }

  /** Flyway's default placeholder prefix and suffix, used by a Flyway that configures none. */
  static final String DEFAULT_PREFIX = "${";

  static final String DEFAULT_SUFFIX = "}";

  /**
   * The placeholders a Flyway with the default prefix and suffix ({@code ${ }}) replaces in {@code
   * text}, read as its {@code PlaceholderReplacingReader} reads them, when prodguard.yml configures
   * another syntax (empty otherwise: {@link #replace} lists them already). prodguard.yml's {@code
   * migrations.placeholder-prefix} decides only prodguard's own deploy: an application's start-up
   * migration or a hand-run Flyway that sets no prefix replaces {@code ${n}} with its own value in
   * a callback, so a callback's {@code ${n}} is listed as replaced too (a placeholder never closed
   * makes that Flyway stop, so it is not listed). Nothing is replaced here: prodguard's deploy
   * leaves that text as written.
   */
  static List<ScriptText.Replaced> inDefaultSyntax(String text, String prefix, String suffix) {
    if (DEFAULT_PREFIX.equals(prefix) && DEFAULT_SUFFIX.equals(suffix)
        || !text.contains(DEFAULT_PREFIX)) {
      return List.of();
    }
    List<ScriptText.Replaced> found = new ArrayList<>();
    Cursor cursor = new Cursor(text);
    int n = text.length();
    int i = 0;
    while (i < n) {
      int k = 0;
      do {
        k++;
      } while (k < DEFAULT_PREFIX.length()
          && i + k < n
          && text.regionMatches(i, DEFAULT_PREFIX, 0, k));
      if (k != DEFAULT_PREFIX.length() || !text.regionMatches(i, DEFAULT_PREFIX, 0, k)) {
        i += k;
        continue;
      }
      int nameStart = i + DEFAULT_PREFIX.length();
      int q = text.indexOf(DEFAULT_SUFFIX, nameStart);
      if (q < 0) {
        break;
      }
      String name = text.substring(nameStart, q);
      String builtIn = builtIn(name);
      cursor.to(i);
      found.add(
          new ScriptText.Replaced(
              cursor.line,
              i - cursor.lineStart + 1,
              DEFAULT_PREFIX + name + DEFAULT_SUFFIX,
              builtIn != null && SETTLED.contains(builtIn)));
      i = q + DEFAULT_SUFFIX.length();
    }
    return found;
  }

  /** Line and line start of offsets read forward once (CR LF, CR and LF each end a line). */
  private static final class Cursor {
    private final String text;
    private int at;
    int line = 1;
    int lineStart;

    Cursor(String text) {
      this.text = text;
    }

    void to(int offset) {
      for (; at < offset; at++) {
        char c = text.charAt(at);
        if (c == '\n' || c == '\r' && (at + 1 >= text.length() || text.charAt(at + 1) != '\n')) {
          line++;
          lineStart = at + 1;
        }
      }
    }
  }

  /**
   * Whether an offset of the script text (before replacement) is inside a single-quoted string
   * literal, read forward once: {@code ''} inside a literal is a quote, {@code --} and {@code /*}
   * comments and {@code "} identifiers hold no literal. Enough to tell a value placed between
   * quotes; a value that is SQL of its own is not judged here.
   */
  private static final class Literal {
    private int at;
    private char state; // 0 code, '\'' literal, '"' identifier, '-' line comment, '*' block comment

    void advance(String text, int to) {
      for (; at < to; at++) {
        char c = text.charAt(at);
        char next = at + 1 < text.length() ? text.charAt(at + 1) : 0;
        switch (state) {
          case 0 -> {
            if (c == '\'' || c == '"') {
              state = c;
            } else if (c == '-' && next == '-') {
              state = '-';
              at++;
            } else if (c == '/' && next == '*') {
              state = '*';
              at++;
            }
          }
          case '\'' -> {
            if (c == '\'' && next == '\'' && at + 1 < to) {
              at++; // a quote inside the literal
            } else if (c == '\'') {
              state = 0;
            }
          }
          case '"' -> state = c == '"' ? 0 : state;
          case '-' -> state = c == '\n' || c == '\r' ? 0 : state;
          default -> {
            if (c == '*' && next == '/') {
              state = 0;
              at++;
            }
          }
        }
      }
    }

    boolean inString() {
      return state == '\'';
    }
  }

  /** The built-in's name as Flyway spells it, or null when {@code name} is not one. */
  static String builtIn(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String b : BUILT_IN) {
      if (lower.equals(("flyway" + SEPARATOR + b).toLowerCase(Locale.ROOT))) {
        return b;
      }
    }
    return null;
  }

  private static String configuredName(Map<String, String> map, String name) {
    for (String k : map.keySet()) {
      if (k.equalsIgnoreCase(name)) {
        return k;
      }
    }
    return name;
  }

  private static String lookup(Map<String, String> map, String name) {
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** 1-based line of offset {@code at}; CR LF, CR and LF each end a line. */
  static int line(String text, int at) {
    int line = 1;
    for (int i = 0; i < at; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n')) {
        line++;
      }
    }
    return line;
  }
}
