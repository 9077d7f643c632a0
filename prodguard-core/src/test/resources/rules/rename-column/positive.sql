ALTER TABLE orders RENAME COLUMN ref TO reference;
ALTER TABLE orders RENAME ref2 TO reference2;
