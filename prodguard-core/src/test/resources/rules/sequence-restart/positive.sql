ALTER SEQUENCE task_execution_logs_log_id_seq RESTART WITH 1;
ALTER SEQUENCE IF EXISTS public.orders_id_seq RESTART;
SELECT setval('orders_id_seq', 1);
SELECT setval('public.orders_id_seq'::regclass, 1, false);
SELECT pg_catalog.setval('orders_id_seq', 100, true);
ALTER TABLE orders ALTER COLUMN id RESTART WITH 1;
ALTER TABLE orders ALTER COLUMN id SET INCREMENT BY 1 RESTART;
