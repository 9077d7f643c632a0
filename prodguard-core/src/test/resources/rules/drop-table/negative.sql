CREATE TABLE orders (id bigint);
DROP VIEW orders_view;
DROP INDEX CONCURRENTLY orders_idx;
COMMENT ON TABLE x IS 'DROP TABLE x;';
