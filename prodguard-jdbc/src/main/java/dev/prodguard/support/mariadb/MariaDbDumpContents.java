package dev.prodguard.support.mariadb;

import dev.prodguard.support.DumpContents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code mariadb-dump} SQL stream holds, read as it is written (no second read): the tables
 * of its {@code CREATE TABLE `t` (} lines, and the {@code database_metadata} row of its {@code
 * INSERT INTO `database_metadata` VALUES (...)} line, with the column names of that table's {@code
 * CREATE TABLE} block. Only the first bytes of each line are looked at; a line is kept whole only
 * when it belongs to {@code database_metadata} (bounded), so data lines of any length cost nothing
 * but the scan for the next newline.
 */
final class MariaDbDumpContents implements DumpContents.Reader {
  private static final int PREFIX = 64;
  private static final int KEEP = 64 << 10;
  private static final Pattern CREATE = Pattern.compile("^CREATE TABLE `((?:[^`]|``)+)` \\(");
  private static final Pattern COLUMN = Pattern.compile("^\\s+`((?:[^`]|``)+)` ");
  private static final String METADATA_INSERT = "INSERT INTO `database_metadata` VALUES";

  private final Set<String> tables = new LinkedHashSet<>();
  private final List<String> metadataColumns = new ArrayList<>();
  private Optional<Map<String, String>> metadata = Optional.empty();

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean keepWhole;
  private boolean inMetadataCreate;
  // mariadb-dump 11 writes "INSERT INTO `t` VALUES" and the rows on the lines that follow
  private boolean rowsFollow;

  @Override
  public void accept(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        endOfLine();
        continue;
      }
      int size = line.size();
      if (size < PREFIX || (keepWhole && size < KEEP)) {
        line.write(b);
        if (size + 1 == PREFIX) {
          keepWhole = inMetadataCreate || rowsFollow || startsWith(METADATA_INSERT);
        }
      }
    }
  }

  private boolean startsWith(String prefix) {
    return line.toString(StandardCharsets.UTF_8).startsWith(prefix);
  }

  private void endOfLine() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    keepWhole = false;
    if (inMetadataCreate) {
      if (text.startsWith(")")) {
        inMetadataCreate = false;
        return;
      }
      Matcher c = COLUMN.matcher(text);
      if (c.find()) {
        metadataColumns.add(c.group(1).replace("``", "`"));
      }
      return;
    }
    Matcher m = CREATE.matcher(text);
    if (m.find()) {
      String table = m.group(1).replace("``", "`");
      tables.add(table);
      inMetadataCreate = table.equals("database_metadata");
      if (inMetadataCreate) {
        metadataColumns.clear();
      }
      return;
    }
    String tuple = null;
    if (rowsFollow) {
      rowsFollow = false;
      tuple = text;
    } else if (text.startsWith(METADATA_INSERT)) {
      tuple = text.substring(METADATA_INSERT.length()).strip();
      if (tuple.isEmpty()) {
        rowsFollow = true;
        return;
      }
    }
    if (metadata.isEmpty() && tuple != null) {
      List<String> values = firstTuple(tuple);
      if (values != null && values.size() == metadataColumns.size()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
          row.put(metadataColumns.get(i), values.get(i));
        }
        metadata = Optional.of(row);
      }
    }
  }

  /**
   * The values of the first {@code (...)} tuple: quoted strings (backslash escapes, doubled
   * quotes), {@code NULL} (null), numbers and other bare words as written; null when it does not
   * parse.
   */
  static List<String> firstTuple(String s) {
    int i = 0;
    if (s.isEmpty() || s.charAt(i) != '(') {
      return null;
    }
    i++;
    List<String> out = new ArrayList<>();
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (ch == '\'') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
          if (i >= s.length()) {
            return null;
          }
          char c = s.charAt(i);
          if (c == '\\' && i + 1 < s.length()) {
            char e = s.charAt(i + 1);
            sb.append(
                switch (e) {
                  case 'n' -> '\n';
                  case 't' -> '\t';
                  case 'r' -> '\r';
                  case '0' -> '\0';
                  case 'Z' -> '\u001a';
                  default -> e;
                });
            i += 2;
          } else if (c == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
            sb.append('\'');
            i += 2;
          } else if (c == '\'') {
            i++;
            break;
          } else {
            sb.append(c);
            i++;
          }
        }
        out.add(sb.toString());
      } else {
        int j = i;
        while (j < s.length() && s.charAt(j) != ',' && s.charAt(j) != ')') {
          j++;
        }
        String word = s.substring(i, j).strip();
        out.add(word.equalsIgnoreCase("NULL") ? null : word);
        i = j;
      }
      if (i >= s.length()) {
        return null;
      }
      char sep = s.charAt(i);
      i++;
      if (sep == ')') {
        return out;
      }
      if (sep != ',') {
        return null;
      }
    }
    return null;
  }

  @Override
  public DumpContents contents() {
    if (line.size() > 0) {
      endOfLine();
    }
    return new DumpContents(Set.copyOf(tables), metadata);
  }
}
