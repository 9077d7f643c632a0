SELECT setval('orders_id_seq', (SELECT max(id) FROM orders));
SELECT setval('orders_id_seq', COALESCE(max(id), 1)) FROM orders;
SELECT setval('orders_id_seq', max(id) + 1, false) FROM orders;
ALTER SEQUENCE orders_id_seq OWNED BY orders.id;
ALTER SEQUENCE orders_id_seq INCREMENT BY 10 START WITH 5;
ALTER TABLE orders ALTER COLUMN id SET DEFAULT nextval('orders_id_seq');
ALTER TABLE orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
TRUNCATE sessions RESTART IDENTITY;
SELECT 'ALTER SEQUENCE s RESTART';
