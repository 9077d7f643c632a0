-- prodguard G6
SELECT prodguard_assert_deploy();
