-- prodguard callback, but the call is commented out:
-- SELECT prodguard_assert_deploy();
SELECT 1;
