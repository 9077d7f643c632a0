CREATE VIEW order_totals AS
SELECT customer_id, COUNT(*) AS orders, SUM(total_cents) AS total_cents
FROM ${prefix}orders
GROUP BY customer_id;
