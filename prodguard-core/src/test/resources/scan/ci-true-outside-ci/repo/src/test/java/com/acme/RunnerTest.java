package com.acme;

class RunnerTest {
  void attack(java.util.Map<String, String> env) {
    env.put("CI", "true"); // tests play a CI runner to prove the guard holds
  }
}
