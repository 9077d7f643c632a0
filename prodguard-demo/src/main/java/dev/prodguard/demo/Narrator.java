package dev.prodguard.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help.Ansi;

/** Prints the story: step headings, plain-words explanations, commands, their output, verdicts. */
final class Narrator {
  private static final int WIDTH = 96;
  private static final int MAX_OUTPUT_LINES = 40;
  private static final String INDENT = "   ";
  private static final String OUTPUT = "     | ";

  private final PrintWriter out;
  private final Ansi ansi;

  Narrator(PrintWriter out, Ansi ansi) {
    this.out = out;
    this.ansi = ansi;
  }

  void title(String text) {
    out.println(ansi.string("@|bold " + text + "|@"));
    out.flush();
  }

  void step(int n, int total, String title, String guarantee) {
    out.println();
    out.println(
        ansi.string(
            "@|bold == " + n + "/" + total + "  " + title + "|@  @|cyan [" + guarantee + "]|@"));
  }

  /** A paragraph in plain words, wrapped. */
  void say(String text) {
    for (String para : text.strip().split("\n\n")) {
      for (String line : wrap(para.replace('\n', ' ').replaceAll(" +", " "), WIDTH)) {
        out.println(INDENT + line);
      }
    }
    out.flush();
  }

  /** Lines shown as they are (a file, a URL list). */
  void verbatim(String text) {
    for (String line : text.stripTrailing().split("\n", -1)) {
      out.println(INDENT + "  " + line);
    }
    out.flush();
  }

  void command(String line) {
    out.println();
    out.println(INDENT + ansi.string("@|bold " + escape(line) + "|@"));
    out.flush();
  }

  void output(String text) {
    List<String> lines = new ArrayList<>();
    for (String l : text.replace("\r", "").split("\n", -1)) {
      lines.add(l);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    int shown = Math.min(lines.size(), MAX_OUTPUT_LINES);
    for (int i = 0; i < shown; i++) {
      out.println(OUTPUT + lines.get(i));
    }
    if (lines.size() > shown) {
      out.println(OUTPUT + "... (" + (lines.size() - shown) + " more lines)");
    }
    out.flush();
  }

  void verdict(boolean ok, String text) {
    out.println(
        INDENT
            + "  => "
            + ansi.string(ok ? "@|bold,green ok|@" : "@|bold,red FAILED|@")
            + ": "
            + text);
    out.flush();
  }

  void blank() {
    out.println();
  }

  void line(String text) {
    out.println(text);
    out.flush();
  }

  PrintWriter writer() {
    return out;
  }

  Ansi ansi() {
    return ansi;
  }

  /** Text inside picocli's @|...|@ markup must not close it early. */
  private static String escape(String s) {
    return s.replace("|@", "| @");
  }

  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
