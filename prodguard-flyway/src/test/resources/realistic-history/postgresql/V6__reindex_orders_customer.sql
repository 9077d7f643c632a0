-- Flyway does not know REINDEX ... CONCURRENTLY cannot run in a transaction: the .conf says so.
REINDEX INDEX CONCURRENTLY orders_customer_idx;
