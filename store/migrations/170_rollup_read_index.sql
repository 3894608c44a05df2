-- Nothing to do in the DuckDB file: its zone maps already skip the roll-up rows a read does not need,
-- and an index there would only cost memory and file size. PostgreSQL gets an index (the .postgres.sql).
SELECT 1 WHERE false;
