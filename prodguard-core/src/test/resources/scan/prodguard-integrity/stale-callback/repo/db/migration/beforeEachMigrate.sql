-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.
SELECT prodguard_assert_deploy();
