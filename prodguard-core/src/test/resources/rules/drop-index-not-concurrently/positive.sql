DROP INDEX orders_created;
