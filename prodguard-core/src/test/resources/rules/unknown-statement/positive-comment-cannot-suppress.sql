-- prodguard:ignore unknown-statement
/* noqa */ VACUUM_EVERYTHING now;
