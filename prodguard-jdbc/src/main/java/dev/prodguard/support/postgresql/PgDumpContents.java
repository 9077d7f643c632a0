package dev.prodguard.support.postgresql;

import dev.prodguard.support.DumpContents;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code pg_dump -Fc} file holds, without restoring it: its tables from the table of
 * contents ({@code pg_restore --list}: {@code ID; OID OID TABLE schema name owner}) and the {@code
 * database_metadata} row from that table's data alone ({@code pg_restore --data-only
 * --table=database_metadata --file=-}: a {@code COPY ... FROM stdin} block in COPY's text format).
 */
final class PgDumpContents implements DumpContents.Reader {
  private static final Pattern TOC_TABLE = Pattern.compile("^\\d+; \\d+ \\d+ TABLE (.+)$");
  private static final Pattern COPY =
      Pattern.compile("^COPY (?:\\S+\\.)?\"?database_metadata\"? \\((.*)\\) FROM stdin;$");

  private final Set<String> tables = new LinkedHashSet<>();
  private Optional<Map<String, String>> metadata = Optional.empty();

  @Override
  public List<List<String>> commands(Optional<Path> binDir, Path dump) {
    String restore = PgClientTools.resolve(binDir, "pg_restore");
    return List.of(
        List.of(restore, "--list", dump.toString()),
        List.of(restore, "--data-only", "--table=database_metadata", "--file=-", dump.toString()));
  }

  @Override
  public void output(int index, String stdout) {
    if (index == 0) {
      for (String line : stdout.split("\n")) {
        Matcher m = TOC_TABLE.matcher(line);
        if (m.matches()) {
          // "schema name owner": the schema is the first word, the owner the last
          String rest = m.group(1);
          int first = rest.indexOf(' ');
          int last = rest.lastIndexOf(' ');
          if (first > 0 && last > first) {
            tables.add(rest.substring(0, first) + "." + rest.substring(first + 1, last));
          }
        }
      }
    } else {
      metadata = metadataRow(stdout);
    }
  }

  private static Optional<Map<String, String>> metadataRow(String data) {
    String[] lines = data.split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher m = COPY.matcher(lines[i]);
      if (m.matches() && i + 1 < lines.length && !lines[i + 1].equals("\\.")) {
        String[] columns = m.group(1).split(", ");
        String[] values = lines[i + 1].split("\t", -1);
        if (columns.length != values.length) {
          return Optional.empty();
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
          row.put(unquote(columns[c]), unescape(values[c]));
        }
        return Optional.of(row);
      }
    }
    return Optional.empty();
  }

  private static String unquote(String identifier) {
    return identifier.startsWith("\"") && identifier.endsWith("\"")
        ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"")
        : identifier;
  }

  /** COPY text format: backslash escapes, {@code \N} is NULL (read as null). */
  private static String unescape(String v) {
    if (v.equals("\\N")) {
      return null;
    }
    StringBuilder sb = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch != '\\' || i + 1 == v.length()) {
        sb.append(ch);
        continue;
      }
      char e = v.charAt(++i);
      sb.append(
          switch (e) {
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'v' -> '\u000b';
            default -> e;
          });
    }
    return sb.toString();
  }

  @Override
  public DumpContents contents() {
    return new DumpContents(Set.copyOf(tables), metadata);
  }
}
