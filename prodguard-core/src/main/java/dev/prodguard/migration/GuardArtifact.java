package dev.prodguard.migration;

/**
 * A file that makes a hand-run of the engine fail on a protected database (G6), written by {@code
 * prodguard init-fingerprint} into the first migration location (Flyway: the callback {@code
 * beforeEachMigrate.sql}, which calls {@code prodguard_assert_deploy()}). {@code verify} and {@code
 * deploy} refuse while it is missing or edited; lint does not analyse it while it is exactly {@code
 * content}.
 *
 * @param fileName its name in the first migration location
 * @param content exactly what prodguard writes (line feeds)
 * @param label how refusals name it, e.g. {@code the Flyway callback}
 * @param stops what it stops, e.g. {@code a Flyway migrate run by hand (CLI, ...)}
 * @param ownFiles where the user's own files of that kind go
 */
public record GuardArtifact(
    String fileName, String content, String label, String stops, String ownFiles) {}
