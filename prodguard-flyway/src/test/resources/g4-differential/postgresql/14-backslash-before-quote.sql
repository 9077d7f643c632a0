SELECT 'C:\'; DROP TABLE orders; --';
