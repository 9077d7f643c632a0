COPY orders (id, item) FROM stdin;
100	DROP TABLE users;
\.
SELECT 1;
