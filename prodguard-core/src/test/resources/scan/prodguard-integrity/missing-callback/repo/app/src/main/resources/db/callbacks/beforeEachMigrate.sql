SELECT prodguard_assert_deploy();
