package dev.prodguard.scan;

/** Output formats of {@code prodguard scan}. */
public enum ScanFormat {
  text,
  json,
  sarif,
  junit
}
