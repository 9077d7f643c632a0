package dev.prodguard.migration;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The text of one file as the server will receive it ({@link MigrationEngine#text}): decoded with
 * the file's encoding, placeholders replaced as the engine replaces them. What the engine leaves to
 * the database (Flyway's built-in placeholders, {@code ${flyway:defaultSchema}} and the others)
 * stays written as {@code ${flyway:name}}.
 *
 * @param text the text, or empty when the bytes cannot be decoded ({@code unreadable} says why)
 * @param unknown ranges of {@code text} whose value is not known here (a placeholder whose {@code
 *     ${VAR}} is not set): what the server will read there cannot be judged
 * @param refusals reasons the engine will certainly refuse the file at deploy (a placeholder
 *     without a value), each at its line
 * @param replaced every placeholder the engine replaces in the file, in order, whatever its value
 *     here, and those an engine with its default syntax would replace (Flyway's {@code ${ }} when
 *     prodguard.yml configures another): what a callback holds there depends on whoever runs the
 *     engine ({@link Replaced})
 */
public record ScriptText(
    Optional<String> text,
    String unreadable,
    List<Unknown> unknown,
    List<Refusal> refusals,
    List<Replaced> replaced) {

  /** {@code [start, end)} of the text holds a placeholder whose value is not known here. */
  public record Unknown(int start, int end, String placeholder, String why) {}

  /**
   * The engine will refuse the file at deploy; {@code line} is 1-based in the file. {@code
   * endsLiteral}: a placeholder's value ends the string literal it is placed in, so what follows on
   * that statement cannot be read as SQL; that is this one cause, reported once (lint gives the
   * statement no {@code unknown-statement} of its own).
   */
  public record Refusal(int line, String message, String fix, boolean endsLiteral) {
    public Refusal(int line, String message, String fix) {
      this(line, message, fix, false);
    }
  }

  /**
   * One placeholder the engine replaces, as written in the file ({@code ${n}}, with the configured
   * prefix and suffix), at its 1-based line and column. {@code settled}: its value is fixed by the
   * file and the engine alone (Flyway: {@code ${flyway:timestamp}}, {@code ${flyway:filename}}),
   * whatever configuration runs the engine; otherwise the value comes from whoever runs it (an
   * application's start-up, a hand-run), which prodguard's configuration does not decide.
   */
  public record Replaced(int line, int column, String written, boolean settled) {}

  public ScriptText {
    unknown = List.copyOf(unknown);
    refusals = List.copyOf(refusals);
    replaced = List.copyOf(replaced);
  }

  public static ScriptText of(String text, List<Unknown> unknown, List<Refusal> refusals) {
    return of(text, unknown, refusals, List.of());
  }

  public static ScriptText of(
      String text, List<Unknown> unknown, List<Refusal> refusals, List<Replaced> replaced) {
    return new ScriptText(Optional.of(text), null, unknown, refusals, replaced);
  }

  public static ScriptText unreadable(String why) {
    return new ScriptText(Optional.empty(), why, List.of(), List.of(), List.of());
  }

  /** The bytes as UTF-8 with nothing replaced, or unreadable when they are not valid UTF-8. */
  public static ScriptText utf8(byte[] bytes) {
    try {
      return of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString(),
          List.of(),
          List.of());
    } catch (CharacterCodingException e) {
      return unreadable("the file is not valid UTF-8");
    }
  }
}
