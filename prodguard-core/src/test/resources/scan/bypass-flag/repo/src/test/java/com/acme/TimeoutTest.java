package com.acme;

import org.junit.jupiter.api.Test;

class TimeoutTest {
  static final String SKIP_CI_CHECK = "SKIP_CI_CHECK";

  @Test
  void testCheckTotalTimeout_zeroDisabled_noTimeout() {
    System.setProperty(SKIP_CI_CHECK, "true");
  }

  @Test
  public void verifyActionIsNotForced() {}

  private static <T> List<T> skipCheckedRows(List<T> rows) {
    return rows;
  }
}
