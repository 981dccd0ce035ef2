CREATE OR REFRESH STREAMING TABLE csv_src
AS SELECT * FROM STREAM read_files('data/customer_changes/*.csv', format => 'csv', header => true);

CREATE OR REFRESH MATERIALIZED VIEW json_mv
AS SELECT * FROM read_files('data/orders/*.jsonl', format => 'json');

CREATE OR REFRESH STREAMING TABLE csv_nohdr
AS SELECT * FROM STREAM read_files('data/x-*.csv', format => 'csv', header => false);

CREATE TEMPORARY VIEW shop_tab AS
SELECT *
FROM shop.orders;

CREATE TEMPORARY VIEW f_all AS
SELECT *
FROM orders
WHERE amount > 10 AND status = 'paid';

CREATE TEMPORARY VIEW f_any AS
SELECT *
FROM orders
WHERE (status IN ('paid', 'a,b', 3) OR customer_id IS NULL OR status LIKE 'p%') AND (amount > 1 OR amount < -2.5);

CREATE TEMPORARY VIEW f_where AS
SELECT *
FROM orders
WHERE coalesce(amount, 0) <> 0;

CREATE TEMPORARY VIEW f_str AS
SELECT *
FROM orders
WHERE status <> 'it''s' AND order_id >= '42' AND amount <= '007';

CREATE TEMPORARY VIEW s1 AS
SELECT order_id, amount * 2 AS double_amount, upper(status) AS "select"
FROM orders;

CREATE TEMPORARY VIEW j_on AS
SELECT l.*, r.name, r.country
FROM orders AS l
LEFT JOIN customers AS r ON l.customer_id = r.id;

CREATE TEMPORARY VIEW j_using AS
SELECT *
FROM orders AS l
FULL JOIN customers AS r USING (customer_id, x);

CREATE TEMPORARY VIEW j_inner AS
SELECT *
FROM orders AS l
JOIN customers AS r ON l.a = r.b AND l.c = r.d;

CREATE TEMPORARY VIEW a1 AS
SELECT customer_id, status, count(*) AS orders, sum(amount) AS revenue, count(DISTINCT status), max(amount)
FROM orders
GROUP BY customer_id, status;

CREATE TEMPORARY VIEW a2 AS
SELECT avg(amount) AS avg_amount, min(amount)
FROM orders;

CREATE TEMPORARY VIEW u1 AS
SELECT * FROM orders
UNION ALL
SELECT * FROM paid_orders
UNION ALL
SELECT * FROM orders_raw;

CREATE TEMPORARY VIEW u2 AS
SELECT * FROM orders
UNION
SELECT * FROM paid_orders;

CREATE TEMPORARY VIEW d1 AS
SELECT DISTINCT *
FROM orders;

CREATE TEMPORARY VIEW d2 AS
SELECT *
FROM orders
GROUP BY order_id, customer_id;

CREATE TEMPORARY VIEW d3 AS
SELECT *
FROM orders
GROUP BY order_id
HAVING ordered_at IS max(ordered_at);

CREATE TEMPORARY VIEW o1 AS
SELECT *
FROM orders
ORDER BY amount DESC, order_id
LIMIT 10;

CREATE TEMPORARY VIEW o2 AS
SELECT *
FROM orders
LIMIT 3;

CREATE OR REFRESH MATERIALIZED VIEW out_mv (
  CONSTRAINT positive EXPECT (amount > 0) ON VIOLATION DROP ROW,
  CONSTRAINT has_id EXPECT (order_id IS NOT NULL) ON VIOLATION FAIL UPDATE,
  CONSTRAINT w EXPECT (status <> 'x')
)
COMMENT 'it''s stored'
AS SELECT * FROM paid_orders;

CREATE OR REFRESH STREAMING TABLE out_st
AS SELECT * FROM STREAM(orders_raw);

CREATE OR REFRESH MATERIALIZED VIEW "odd name"
AS SELECT * FROM orders_raw;
