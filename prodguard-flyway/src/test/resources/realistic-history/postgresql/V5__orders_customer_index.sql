-- Built without blocking writes: Flyway runs it outside a transaction (see the .conf).
CREATE INDEX CONCURRENTLY orders_customer_idx ON ${prefix}orders (customer_id);
