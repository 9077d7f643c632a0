package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The classifier's fast paths (issue 15) answer exactly as the look-ups they replace: the one pass
 * over a statement ({@link Classifier.Marks}) and the space collapsing without a regular
 * expression. Random texts from the characters and words these look-ups care about, in every case,
 * with non-ASCII letters whose case folds to ASCII (the Kelvin sign, the long s).
 */
@DisplayName("G4: the lint's fast paths read statements exactly as the full look-ups do")
class G4LintFastPathsTest {

  private static final String[] PIECES = {
    " ",
    "\t",
    "\n",
    "\r",
    "\u000B",
    "\f",
    "\u00A0",
    "\u2028",
    "_",
    "$",
    "&",
    "\"",
    "#",
    "(",
    ";",
    "pg_",
    "PG_",
    "lo_",
    "lOread",
    "LOWRITE",
    "dblink",
    "Binary_Upgrade_",
    "postgres_fdw_",
    "variable_conflict",
    "VARIABLE_Conflict",
    "\u212Aariable",
    "#variable_conflict",
    "# \n variable_conflict",
    "prodguard_",
    "PRODGUARD_x",
    "database_metadata",
    "flyway_schema_history",
    "Session_Replication_Role",
    "${flyway:table}",
    "${FLYWAY:TABLE}",
    "U&\"",
    "\u017Fession_replication_role",
    "pr\u00F3dguard_",
    "a",
    "x1",
    "é",
    "k",
    "\u212A"
  };

  private static String random(Random r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(12);
    for (int i = 0; i < n; i++) {
      b.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  /** {@code Ctx.setsVariableConflict} as it reads a statement on its own. */
  private static boolean setsVariableConflict(String text, int from, int to) {
    String w = "variable_conflict";
    for (int i = from; i + w.length() <= to; i++) {
      if ((text.charAt(i) == 'v' || text.charAt(i) == 'V')
          && text.regionMatches(true, i, w, 0, w.length())) {
        int p = i - 1;
        while (p >= from && Character.isWhitespace(text.charAt(p))) {
          p--;
        }
        if (p < from || text.charAt(p) != '#') {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean unicodeEscape(String text, int from, int to) {
    for (int i = from; i + 1 < to; i++) {
      if (text.charAt(i) == '&' && text.charAt(i + 1) == '"') {
        return true;
      }
    }
    return false;
  }

  @Test
  @DisplayName(
      "G4: one pass over a statement finds what the four separate look-ups find, in any part of"
          + " a text")
  void marksAreTheLookUps() {
    Random r = new Random(15);
    for (SqlSyntax syntax : List.of(SqlSyntax.POSTGRESQL, SqlSyntax.MYSQL)) {
      Classifier c = new Classifier(syntax);
      for (int round = 0; round < 200_000; round++) {
        String text = random(r);
        int from = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
        int to = from + (text.length() == from ? 0 : r.nextInt(text.length() - from + 1));
        Classifier.Marks m = c.marks(text, from, to);
        String at = syntax + " [" + from + ", " + to + ") of '" + text + "'";
        assertThat(m.beyond).as(at).isEqualTo(Classifier.mayNameBeyondTheDatabase(text, from, to));
        assertThat(m.mentions)
            .as(at)
            .isEqualTo(ProdguardObjects.mentionedIn(text, from, to) != null);
        assertThat(m.variableConflict).as(at).isEqualTo(setsVariableConflict(text, from, to));
        assertThat(m.unicodeEscape)
            .as(at)
            .isEqualTo(syntax == SqlSyntax.POSTGRESQL && unicodeEscape(text, from, to));
      }
    }
  }

  @Test
  @DisplayName("G4: the marks of a statement hold for every part of it (nested statements)")
  void noMarkInTheWholeMeansNoneInAPart() {
    Random r = new Random(16);
    Classifier c = new Classifier(SqlSyntax.POSTGRESQL);
    for (int round = 0; round < 100_000; round++) {
      String text = random(r);
      Classifier.Marks whole = c.marks(text, 0, text.length());
      if (whole.beyond) {
        continue;
      }
      int from = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
      int to = from + (text.length() == from ? 0 : r.nextInt(text.length() - from + 1));
      assertThat(Classifier.mayNameBeyondTheDatabase(text, from, to)).as(text).isFalse();
    }
  }

  @Test
  @DisplayName("G4: spaces collapse as replaceAll(\"\\\\s+\", \" \") does")
  void collapseSpaces() {
    Random r = new Random(17);
    Pattern spaces = Pattern.compile("\\s+");
    for (int round = 0; round < 200_000; round++) {
      String text = random(r);
      assertThat(Classifier.collapseSpaces(text))
          .as(text)
          .isEqualTo(spaces.matcher(text).replaceAll(Matcher.quoteReplacement(" ")));
    }
  }

  /** identifier-too-long's look-up as it was: every part split, unquoted and measured. */
  private static String longPartAsBefore(String name, SqlSyntax syntax) {
    for (String part : name.split("\\.")) {
      String n =
          part.length() >= 2
                  && ((part.startsWith("\"") && part.endsWith("\""))
                      || (part.startsWith("`") && part.endsWith("`")))
              ? part.substring(1, part.length() - 1)
              : part;
      boolean tooLong =
          syntax == SqlSyntax.POSTGRESQL
              ? n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63
              : n.codePointCount(0, n.length()) > 64;
      if (tooLong) {
        return part;
      }
    }
    return null;
  }

  @Test
  @DisplayName(
      "G4: identifier-too-long finds the same name when it skips names too short to be too long")
  void identifierTooLongShortCut() {
    Random r = new Random(18);
    String[] pieces = {"a", "B", ".", "\"", "`", "\u00E9", "\u20AC", "\uD83D\uDE00", "_"};
    SqlStatement st =
        new Splitter(SqlSyntax.POSTGRESQL).split(new SourceFile("V1__t.sql", "x")).get(0);
    for (int round = 0; round < 100_000; round++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(90);
      for (int i = 0; i < n; i++) {
        b.append(pieces[r.nextInt(pieces.length)]);
      }
      String name = b.toString();
      for (SqlSyntax syntax : List.of(SqlSyntax.POSTGRESQL, SqlSyntax.MYSQL)) {
        Operation op =
            new Operation(OpKind.CREATE_TABLE, st, name, null, null, java.util.Set.of(), null);
        assertThat(dev.prodguard.lint.rules.IdentifierTooLongRule.longName(op, syntax))
            .as(syntax + " " + name)
            .isEqualTo(longPartAsBefore(name, syntax));
      }
    }
  }
}
