DELETE FROM sessions WHERE id = 1;
SET foreign_key_checks = 0;
USE app;
