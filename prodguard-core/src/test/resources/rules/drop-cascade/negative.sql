DROP TYPE kind;
DROP FUNCTION stamp(int) RESTRICT;
TRUNCATE customers;
DROP TABLE old_orders;
