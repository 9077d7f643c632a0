CREATE VIEW order_totals AS
SELECT customer_id, count(*) AS orders, sum(total_cents) AS total_cents
FROM ${prefix}orders
GROUP BY customer_id;
