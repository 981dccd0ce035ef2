-- Near misses of the canonical shapes: each reads as a sql node.
CREATE TEMPORARY VIEW f1 AS
SELECT *
FROM orders
WHERE amount > 10  AND status = 'paid';

create temporary view f2 as
select *
from orders
where amount > 10;

CREATE TEMPORARY VIEW f3 AS
SELECT * -- every column
FROM orders
WHERE amount > 10;

CREATE TEMPORARY VIEW f4 AS
SELECT *
FROM orders
WHERE (amount > 10 OR status = 'x') AND (amount < 5);

CREATE TEMPORARY VIEW f5 AS
SELECT *
FROM orders
WHERE a > 1 AND b < 2 OR c = 3;

CREATE TEMPORARY VIEW s2 AS
SELECT order_id AS id, count(*) AS n
FROM orders;

CREATE TEMPORARY VIEW a3 AS
SELECT status, sum(amount) AS revenue
FROM orders
GROUP BY customer_id;

CREATE TEMPORARY VIEW j2 AS
SELECT l.*, r.*
FROM orders AS l
JOIN customers AS r ON l.a = r.a;

CREATE TEMPORARY VIEW d4 AS
SELECT *
FROM orders
GROUP BY id
HAVING ts IS max(other);

CREATE TEMPORARY VIEW o3 AS
SELECT *
FROM orders
LIMIT 0;

CREATE TEMPORARY VIEW o4 AS
SELECT *
FROM orders
LIMIT 007;

CREATE TEMPORARY VIEW u3 AS
SELECT * FROM a
UNION ALL
SELECT * FROM b
UNION
SELECT * FROM c;

CREATE TEMPORARY VIEW t2 AS
SELECT *
FROM "shop"."orders";

CREATE OR REFRESH STREAMING TABLE r2
AS SELECT * FROM STREAM read_files('data/*.csv', format => 'csv');

CREATE OR REFRESH STREAMING TABLE r3
AS SELECT * FROM STREAM read_files('data/*.csv', format => 'parquet', header => true);

CREATE STREAMING TABLE out2
AS SELECT * FROM STREAM(orders_raw);

CREATE OR REFRESH MATERIALIZED VIEW out3 (
  id INT,
  CONSTRAINT positive EXPECT (amount > 0)
)
AS SELECT * FROM orders;

CREATE OR REFRESH MATERIALIZED VIEW out4
TBLPROPERTIES ('a' = 'b')
AS SELECT * FROM orders;

CREATE OR REFRESH MATERIALIZED VIEW out5 (
  CONSTRAINT positive EXPECT (amount > 0) ON VIOLATION DROP ROW
) COMMENT 'x'
AS SELECT * FROM orders;

CREATE FLOW f_ins AS INSERT INTO out2 BY NAME
SELECT * FROM STREAM(orders_raw);

CREATE TEMPORARY VIEW no_semi AS
SELECT *
FROM orders
WHERE amount > 10
