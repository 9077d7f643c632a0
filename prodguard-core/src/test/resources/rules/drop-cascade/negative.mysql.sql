-- MariaDB accepts CASCADE and ignores it
DROP TABLE old_orders CASCADE;
