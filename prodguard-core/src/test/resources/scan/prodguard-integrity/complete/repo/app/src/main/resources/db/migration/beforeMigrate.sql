-- our own housekeeping before every migrate
SET lock_timeout = '5s';
