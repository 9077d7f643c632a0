CREATE INDEX CONCURRENTLY orders_created ON orders (created_at);
CREATE TABLE t (id int);
CREATE INDEX t_id ON t (id);
