package dev.prodguard.support.sync;

/**
 * A column as the database declares it.
 *
 * @param type the declared type (PostgreSQL {@code format_type}, MariaDB {@code COLUMN_TYPE}):
 *     source and target must agree on it
 * @param binary values travel as bytes, not text
 */
public record Column(String name, String type, boolean binary) {}
