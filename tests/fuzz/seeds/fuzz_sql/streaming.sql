-- bronze
CREATE OR REFRESH STREAMING TABLE orders_bronze
COMMENT 'raw orders, appended'
AS SELECT * FROM STREAM(raw_orders);

/* silver: clean */
CREATE OR REFRESH MATERIALIZED VIEW orders_silver (
  CONSTRAINT positive_amount EXPECT (amount > ${min_amount}) ON VIOLATION DROP ROW,
  CONSTRAINT has_customer EXPECT (customer IS NOT NULL)
) AS SELECT id, customer, amount, ts FROM orders_bronze;

CREATE TEMPORARY VIEW big_orders AS SELECT * FROM orders_silver WHERE amount > 50;

CREATE MATERIALIZED VIEW daily_revenue AS
SELECT ts AS day, sum(amount) AS revenue, count(*) AS n FROM orders_silver GROUP BY ts;

CREATE MATERIALIZED VIEW big_count AS SELECT count(*) AS n FROM big_orders;

CREATE STREAMING TABLE all_events;
CREATE FLOW events_from_orders AS INSERT INTO all_events BY NAME
SELECT id, 'order' AS kind FROM STREAM(orders_bronze);
CREATE FLOW events_from_raw AS INSERT INTO all_events BY NAME
SELECT id, 'raw' AS kind, ts FROM STREAM raw_orders r;
