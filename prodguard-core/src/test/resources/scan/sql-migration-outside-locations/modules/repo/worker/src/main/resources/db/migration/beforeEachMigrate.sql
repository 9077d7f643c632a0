-- looks like prodguard's callback
DELETE FROM users;
SELECT prodguard_assert_deploy();
