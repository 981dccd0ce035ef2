-- Gold: what the business looks at.

CREATE OR REFRESH MATERIALIZED VIEW daily_revenue
COMMENT 'paid revenue per day'
AS SELECT order_date, count(*) AS orders, round(sum(amount), 2) AS revenue
FROM paid_orders
GROUP BY order_date
ORDER BY order_date;

CREATE OR REFRESH MATERIALIZED VIEW customer_value
COMMENT 'lifetime value per current customer'
AS SELECT c.customer_id, c.name, c.country,
          count(o.order_id) AS orders, round(coalesce(sum(o.amount), 0), 2) AS revenue
FROM customers c
LEFT JOIN paid_orders o ON o.customer_id = c.customer_id
GROUP BY c.customer_id, c.name, c.country
ORDER BY revenue DESC;
