package com.acme.shop;

/** An application's own feature flags: they switch its checks, not a guard of the pipeline. */
public class Artifacts {
  static final String SKIP_ARTIFACT_CHECK_TENANT = "SKIP_ARTIFACT_CHECK_TENANT";
  boolean skipArtifactAccessCheck;
  boolean forceTransactionCheck;
  boolean canSkipVatNrCheck;
  boolean forceCheck;

  void forcePaymentStatusCheck() {}
  // bypasses of what prodguard guards, in main code (positive)
  boolean skipProdguard = Boolean.getBoolean("PRODGUARD_SKIP");
  boolean allowProdDdl;
  String bypassSchemaValidation = System.getenv("DB_SAFETY_DISABLED");
}
