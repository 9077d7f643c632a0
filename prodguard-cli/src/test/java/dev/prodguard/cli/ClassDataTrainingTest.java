package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build's class-data training line says what happened, never "exited 1" for a good run. */
class ClassDataTrainingTest {

  @Test
  void expectedFindingsOfTheTrainingLintDoNotReadAsAFailure() {
    String line = ClassDataTraining.summary(Main.REFUSED, 4321);
    assertThat(line)
        .startsWith("class-data training: 4321 classes loaded for the archive")
        .contains("as expected")
        .doesNotContain("exited");
  }

  @Test
  void aCleanRunAndABrokenRunAreToldApart() {
    assertThat(ClassDataTraining.summary(Main.OK, 7))
        .isEqualTo("class-data training: 7 classes loaded for the archive");
    assertThat(ClassDataTraining.summary(Main.FAILURE, 7))
        .startsWith("class-data training failed: the training command exited 3");
  }
}
