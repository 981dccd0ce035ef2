-- Bronze: the shop's raw records as they arrive, untouched.
-- (Until file ingestion lands, the raw rows are inline here.)

CREATE OR REFRESH MATERIALIZED VIEW customers_raw
COMMENT 'customers as exported by the CRM'
AS SELECT column1 AS customer_id, column2 AS name, column3 AS email,
          column4 AS country, column5 AS signed_up
FROM (VALUES
  (1, 'Ada Lovelace',    'ada@example.com',     'UK', '2023-01-04'),
  (2, 'Grace Hopper',    'grace@example.com',   'US', '2023-02-11'),
  (3, 'Edsger Dijkstra', NULL,                  'NL', '2023-03-20'),
  (4, 'Barbara Liskov',  'barbara@example.com', 'US', '2023-05-02'),
  (5, 'Donald Knuth',    'don@example.com',     'US', '2023-06-30'));

CREATE OR REFRESH MATERIALIZED VIEW orders_raw
COMMENT 'orders as written by the web shop; some are broken'
AS SELECT column1 AS order_id, column2 AS customer_id, column3 AS ordered_at,
          column4 AS amount, column5 AS status
FROM (VALUES
  (1001, 1, '2024-03-01 09:12:00',  42.50, 'paid'),
  (1002, 2, '2024-03-01 10:40:00',  19.99, 'paid'),
  (1003, 3, '2024-03-01 11:05:00',   0.00, 'paid'),
  (1004, 9, '2024-03-02 08:30:00',  75.00, 'paid'),
  (1005, 4, '2024-03-02 12:00:00', 120.00, 'refunded'),
  (1006, 5, '2024-03-02 15:45:00',  64.10, 'paid'),
  (1007, 1, '2024-03-03 09:00:00',  -5.00, 'paid'),
  (1008, 2, '2024-03-03 18:20:00',  33.30, 'paid'),
  (1009, NULL, '2024-03-03 19:00:00', 12.00, 'paid'),
  (1010, 5, '2024-03-04 07:55:00',  99.00, 'paid'));
