-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.
--
-- Flyway runs beforeEachMigrate.sql right before it applies each pending migration,
-- inside that migration's transaction: the Flyway CLI, the Maven and Gradle plugins,
-- Spring Boot's start-up migration, any Flyway API call. With nothing pending it does
-- not run, so an application that migrates at start-up starts normally. On a protected
-- environment prodguard_assert_deploy() fails unless this connection was handed to
-- Flyway by 'prodguard deploy' for a running, approved deploy, so a migration run by
-- hand fails inside the database before it changes anything. A database prodguard has
-- not set up (a fresh dev database, your tests) has no prodguard_assert_deploy() and
-- migrates as if this file were not there. Written by 'prodguard init-fingerprint';
-- 'prodguard status', 'check' and 'scan' report it missing or modified. Put callbacks
-- of your own in beforeEachMigrate__<description>.sql.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'prodguard_assert_deploy')
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relname IN ('prodguard_guard_config', 'prodguard_run')) THEN
    PERFORM prodguard_assert_deploy();
  END IF;
END
$$;
