/* /* */ DROP TABLE orders; */ SELECT 1;
