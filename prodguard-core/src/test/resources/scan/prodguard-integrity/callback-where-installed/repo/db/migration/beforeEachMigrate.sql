-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'prodguard_assert_deploy')
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relname IN ('prodguard_guard_config', 'prodguard_run')) THEN
    PERFORM prodguard_assert_deploy();
  END IF;
END
$$;
