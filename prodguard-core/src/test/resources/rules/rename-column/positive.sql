ALTER TABLE orders RENAME COLUMN ref TO reference;
ALTER TABLE orders RENAME ref2 TO reference2;
ALTER VIEW orders RENAME COLUMN ref3 TO reference3;
ALTER MATERIALIZED VIEW order_totals RENAME total TO sum;
