-- Bronze: raw records as they land in data/, each file read once.
-- Nothing is lost: what does not fit a column goes to _rescued_data, and
-- every row says which file and line it came from.

CREATE OR REFRESH STREAMING TABLE orders_raw
COMMENT 'orders exported by the web shop as JSON lines'
AS SELECT * FROM STREAM read_files('data/orders/*.jsonl', format => 'json',
                                   schemaHints => 'amount DOUBLE, ordered_at TIMESTAMP');

CREATE OR REFRESH STREAMING TABLE customer_changes
COMMENT 'change events from the CRM (UPSERT / DELETE, ordered by seq)'
AS SELECT * FROM STREAM read_files('data/customer_changes/*.csv',
                                   format => 'csv', header => true);
-- Silver: cleaned and conformed.

-- The current customers: change events applied in sequence order, late and
-- repeated events ignored, deletes honoured (SCD type 1).
CREATE OR REFRESH STREAMING TABLE customers
COMMENT 'one row per customer, as of the latest change';

CREATE FLOW customers_cdc AS AUTO CDC INTO customers
FROM STREAM(customer_changes)
KEYS (customer_id)
APPLY AS DELETE WHEN op = 'DELETE'
SEQUENCE BY seq
COLUMNS customer_id, name, email, country, Signed_Up
STORED AS SCD TYPE 1;

-- Every version of each customer's country and email (SCD type 2).
CREATE OR REFRESH STREAMING TABLE customers_history
COMMENT 'customer history: one row per version, with __START_AT and __END_AT';

CREATE FLOW customers_history_cdc AS AUTO CDC INTO customers_history
FROM STREAM(customer_changes)
KEYS (customer_id)
APPLY AS DELETE WHEN op = 'DELETE'
SEQUENCE BY seq
COLUMNS customer_id, name, email, country
STORED AS SCD TYPE 2
TRACK HISTORY ON country, email;

-- Orders: expectations keep bad rows out (DROP ROW) or count them (warn).
CREATE OR REFRESH MATERIALIZED VIEW orders (
  CONSTRAINT positive_amount EXPECT (amount >= ${min_order_amount}) ON VIOLATION DROP ROW,
  CONSTRAINT has_customer EXPECT (customer_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT not_refunded EXPECT (status <> 'refunded'),
  CONSTRAINT nothing_rescued EXPECT (_rescued_data IS NULL)
)
COMMENT 'valid orders in ${currency}'
AS SELECT order_id, customer_id, datetime(ordered_at) AS ordered_at,
          date(ordered_at) AS order_date, round(amount, 2) AS amount, status,
          json_array_length(items) AS item_count, _rescued_data
FROM orders_raw;

-- A temporary view: part of the pipeline's logic, never stored.
CREATE TEMPORARY VIEW paid_orders AS
SELECT * FROM orders WHERE status = 'paid';
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
