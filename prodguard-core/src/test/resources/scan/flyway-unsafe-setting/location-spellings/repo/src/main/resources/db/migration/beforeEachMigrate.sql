/* written by prodguard init-fingerprint */
SELECT prodguard_assert_deploy();
