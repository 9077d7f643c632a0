package com.acme.shop;

class AutoConfirmTest {
  @Test
  void confirms() {
    verifyAutoConfirmationIsDisabled("c1");
    skipMigrationCheckIsRefused();
    run("skipMigrationCheckIsRefused");
  }

  private void verifyAutoConfirmationIsDisabled(String controllerId) {}

  private void skipMigrationCheckIsRefused() {}
}
