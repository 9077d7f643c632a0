package org.flywaydb.core.internal.parser;

import java.io.IOException;
import java.io.Reader;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.sqlscript.SqlScriptMetadata;
import org.flywaydb.core.internal.sqlscript.SqlStatementIterator;

/**
 * Flyway's {@code Parser.parse} for a text already in memory, for prodguard's lint (G4): the same
 * parser, tokens, statement cuts and placeholder reader, over one reader of the text instead of
 * Flyway's stack of four ({@code BufferedReader}, {@code UnboundedReadAheadReader}, {@code
 * BomStrippingReader} around the resource's {@code InputStreamReader}), which every character
 * passed twice (Flyway peeks 256 characters ahead and reads them again): that stack was half of
 * Flyway's parse time. {@link TextReader} behaves as that stack does, a byte order mark anywhere
 * included. It lives in Flyway's package because {@code PeekingReader}, {@code RecordingReader} and
 * {@code PositionTrackingReader} can only be made there; {@code FlywayParsingTest} checks that
 * every statement, line and transaction flag is the one {@code Parser.parse} gives.
 *
 * <p>Left out of {@code Parser.parse}: its debug log line and the file-name placeholder update,
 * which the caller's parsing context must ignore (prodguard's keeps a stand-in for it).
 */
public final class ProdguardParsing {
  private ProdguardParsing() {}

  /** {@code parser.parse(resource, metadata)}, reading {@code text}: the resource's content. */
  public static SqlStatementIterator parse(
      Parser parser, LoadableResource resource, String text, SqlScriptMetadata metadata) {
    PositionTracker tracker = new PositionTracker();
    Recorder recorder = new Recorder();
    ParserContext context = new ParserContext(parser.getDefaultDelimiter());
    TextReader source = new TextReader(text);
    Reader under = parser.replacePlaceholders(source, metadata);
    Reader tracked = new RecordingReader(recorder, new PositionTrackingReader(tracker, under));
    PeekingReader reader =
        under == source
            ? new TextPeekingReader(tracked, parser.supportsPeekingMultipleLines(), source)
            : new PeekingReader(tracked, parser.supportsPeekingMultipleLines());
    return parser.new ParserSqlStatementIterator(reader, resource, recorder, tracker, context);
  }

  /**
   * Flyway's {@code PeekingReader}, whose {@code peek(String)} (asked for the delimiter before
   * every character of every word) looks at the text instead of building a string of the characters
   * ahead: most of what Flyway's parser allocated. Only where nothing stands between the peeking
   * reader and the text but Flyway's recording and position tracking, which pass characters through
   * unchanged: then the characters ahead of the peeking reader are those ahead of {@link
   * TextReader} (Flyway's peeking reads ahead and returns to its mark, so the reader under it is
   * always where the parse is).
   */
  static final class TextPeekingReader extends PeekingReader {
    private final TextReader source;

    TextPeekingReader(Reader in, boolean supportsPeekingMultipleLines, TextReader source) {
      super(in, supportsPeekingMultipleLines);
      this.source = source;
    }

    /**
     * {@code str.equals(peek(str.length()))}: Flyway's peek ends at the end of the text and after a
     * line feed, so a string with a line feed before its last character never matches.
     */
    @Override
    public boolean peek(String str) {
      return source.ahead(str);
    }
  }

  /**
   * What {@code new BomStrippingReader(new UnboundedReadAheadReader(new BufferedReader(r)))} reads
   * through {@code read()}, {@code mark} and {@code reset}: the characters of the text in order, a
   * byte order mark skipped wherever {@code read()} meets one (the character after it comes
   * instead, unchecked), {@code -1} at the end; {@code reset} returns to the last {@code mark}.
   * Bulk reads, which Flyway's parser never makes and which that stack does not replay after a
   * mark, fail rather than guess (a failed parse is a refusal).
   */
  static final class TextReader extends Reader {
    private static final char BOM = '\ufeff';
    private final char[] text;
    private final int length;
    private int pos;
    private int mark = -1;

    TextReader(String text) {
      this.text = text.toCharArray();
      this.length = this.text.length;
    }

    @Override
    public int read() {
      if (pos >= length) {
        return -1;
      }
      char c = text[pos++];
      if (c == BOM) {
        return pos >= length ? -1 : text[pos++];
      }
      return c;
    }

    /**
     * Whether the characters {@link #read()} would give next are {@code str}, none of them but the
     * last a line feed; nothing is read.
     */
    boolean ahead(String str) {
      int n = str.length();
      int p = pos;
      char previous = 0;
      for (int k = 0; k < n; k++) {
        if (p >= length) {
          return false;
        }
        char c = text[p++];
        if (c == BOM) {
          if (p >= length) {
            return false;
          }
          c = text[p++];
        }
        if (previous == '\n' || c != str.charAt(k)) {
          return false;
        }
        previous = c;
      }
      return n > 0;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
      throw new IOException("prodguard reads Flyway's parser input one character at a time");
    }

    @Override
    public boolean markSupported() {
      return true;
    }

    @Override
    public void mark(int readAheadLimit) {
      mark = pos;
    }

    @Override
    public void reset() throws IOException {
      if (mark < 0) {
        throw new IOException("reset without mark");
      }
      pos = mark;
      mark = -1;
    }

    @Override
    public void close() {}
  }
}
