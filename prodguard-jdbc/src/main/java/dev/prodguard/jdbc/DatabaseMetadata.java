package dev.prodguard.jdbc;

/** The validated {@code database_metadata} row and the identity of the server it was read from. */
public record DatabaseMetadata(String environment, String fingerprint, String serverIdentity) {}
