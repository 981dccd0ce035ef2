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
