package dev.prodguard.pipeline;

import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Contract and safety analysis of what a deploy will run before it may reach an environment (G4):
 * the pending migrations and the callbacks the engine runs around them. {@code verify} refuses when
 * {@link Analysis#refusals()} is not empty.
 */
public interface MigrationAnalyzer {

  /**
   * @param set what the deploy will run (pending migrations and callbacks), hashed
   * @param sources every file of the same snapshot as the engine discovered it
   */
  Analysis analyse(MigrationSet set, MigrationSources sources, Target target);

  /**
   * verify is about to check {@code target} and then {@link #analyse} what is pending there, from
   * the snapshot {@code files}: work that needs only to read the target and the files (trace's
   * scratch server, its schema copy) may start now, beside verify's own checks. Whatever it starts
   * is read by {@link #analyse} of the same target and snapshot, or dropped by {@link #abandon}.
   */
  default void begin(Target target, MigrationFiles files) {}

  /** verify ended, analysed or refused: what {@link #begin} started and was not read is dropped. */
  default void abandon() {}

  /**
   * @param refusals one line per reason to refuse; empty when the migrations may be deployed
   * @param contractSha256 SHA-256 of the contract file, empty when there is none
   * @param deployFailures one line per certain failure of the deploy the files alone determine (G7:
   *     the migration tool or the server would refuse a migration): refused before anything else,
   *     since no contract entry changes them
   * @param covered the findings (lint and trace) a reviewed contract exception covered: what the
   *     verification relied on, for its audit row (G10)
   * @param traced what a trace in verify did, when one ran
   */
  record Analysis(
      List<String> refusals,
      Optional<String> contractSha256,
      List<String> deployFailures,
      List<Finding> covered,
      Optional<Traced> traced) {
    public Analysis {
      refusals = List.copyOf(refusals);
      deployFailures = List.copyOf(deployFailures);
      covered = List.copyOf(covered);
    }

    public Analysis(List<String> refusals, Optional<String> contractSha256) {
      this(refusals, contractSha256, List.of(), List.of(), Optional.empty());
    }
  }

  /**
   * A trace that ran in verify: how many statements it replayed, and its findings that did not
   * refuse (warnings and covered errors), counted by rule id.
   */
  record Traced(int statements, Map<String, Integer> findings) {
    public Traced {
      findings = Map.copyOf(findings);
    }
  }
}
