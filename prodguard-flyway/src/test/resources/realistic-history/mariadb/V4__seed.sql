INSERT INTO ${prefix}customers (email, name, created_at) VALUES
  ('Ada@Example.org', 'Ada', '2024-01-02 10:00:00'),
  ('grace@example.org', 'Grace', '2024-01-03 11:00:00'),
  ('LINUS@example.org', 'Linus', '2024-01-04 12:00:00');

INSERT INTO ${prefix}orders (customer_id, status, total_cents)
SELECT c.id, 'paid', 1000 * c.id FROM ${prefix}customers c;
