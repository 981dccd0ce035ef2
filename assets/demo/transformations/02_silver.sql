-- Silver: cleaned and conformed. Expectations keep bad rows out (DROP ROW)
-- or count them without dropping (warn).

CREATE OR REFRESH MATERIALIZED VIEW customers (
  CONSTRAINT has_email EXPECT (email IS NOT NULL)
)
COMMENT 'one row per customer'
AS SELECT customer_id, name, lower(email) AS email, country, date(signed_up) AS signed_up
FROM customers_raw;

CREATE OR REFRESH MATERIALIZED VIEW orders (
  CONSTRAINT positive_amount EXPECT (amount >= ${min_order_amount}) ON VIOLATION DROP ROW,
  CONSTRAINT has_customer EXPECT (customer_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT not_refunded EXPECT (status <> 'refunded')
)
COMMENT 'valid orders in ${currency}'
AS SELECT order_id, customer_id, datetime(ordered_at) AS ordered_at,
          date(ordered_at) AS order_date, round(amount, 2) AS amount, status
FROM orders_raw;

-- A temporary view: part of the pipeline's logic, never stored.
CREATE TEMPORARY VIEW paid_orders AS
SELECT * FROM orders WHERE status = 'paid';
