SELECT e'\'; DROP TABLE orders; --';
