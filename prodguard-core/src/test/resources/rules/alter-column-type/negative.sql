ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;
ALTER TABLE orders ADD COLUMN total2 numeric;
CREATE TYPE mood AS ENUM ('a');
CREATE TABLE task_index (task_type VARCHAR(32) NOT NULL, task_def_name VARCHAR(255) NOT NULL);
ALTER TABLE task_index ALTER COLUMN task_type TYPE TEXT;
ALTER TABLE task_index ALTER COLUMN task_def_name TYPE varchar(512);
