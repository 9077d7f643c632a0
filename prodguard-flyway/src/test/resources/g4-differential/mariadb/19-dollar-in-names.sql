CREATE TABLE $t (id int);
DELETE FROM users WHERE id = 1;
