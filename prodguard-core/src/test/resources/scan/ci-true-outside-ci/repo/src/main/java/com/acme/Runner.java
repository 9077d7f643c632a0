package com.acme;

public class Runner {
  void run(ProcessBuilder pb) {
    pb.environment().put("CI", "true");
    String[] env = {"CI=true"};
    String msg = "the CI=true claim is no proof";
  }
}
