package dev.prodguard.support;

import java.util.List;

/**
 * An operator or operator class a user made on the target (PostgreSQL {@code pg_operator}, {@code
 * pg_opclass}; an extension's are not among them), with the functions the server runs for it: an
 * operator's function and its selectivity estimators, an operator class's family's support
 * functions and the functions of its operators (G4).
 *
 * @param opclass an operator class, not an operator
 * @param name the operator's name ({@code <~~>}) or the class's, lower case
 * @param functions qualified with their schema, lower case
 * @param implicit the server may pick it without a statement naming it: a default operator class, a
 *     cast with a function ({@code name} then {@code cast (source as target)}); an operator named
 *     like a built-in one is read so by its name
 */
public record UserOperator(boolean opclass, String name, List<String> functions, boolean implicit) {
  public UserOperator {
    functions = List.copyOf(functions);
  }

  public UserOperator(boolean opclass, String name, List<String> functions) {
    this(opclass, name, functions, false);
  }
}
