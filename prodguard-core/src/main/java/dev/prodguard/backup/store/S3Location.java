package dev.prodguard.backup.store;

/** {@code s3://bucket/key}, the location a run records for a backup kept in a bucket. */
record S3Location(String bucket, String key) {
  static final String SCHEME = "s3://";

  static S3Location parse(String location) {
    if (!location.startsWith(SCHEME)) {
      throw new IllegalArgumentException("not an s3:// location: " + location);
    }
    String rest = location.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("not an s3://bucket/key location: " + location);
    }
    return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
