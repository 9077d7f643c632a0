package com.acme;

import com.acme.bypass.GuardRail;

/** Deploys; skipCiCheck in a comment is no flag. */
public class Deploy {
  boolean disableMigrationCheck = true;
  String allowedOrigins = "*";
  String key = System.getProperty("prodguard.skip.verify");
  GuardRail rail;
  Object noBackup; // the state "no backup yet", not a switch
}
