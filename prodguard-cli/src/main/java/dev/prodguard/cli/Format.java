package dev.prodguard.cli;

/** Output formats of reporting commands. */
public enum Format {
  text,
  json
}
