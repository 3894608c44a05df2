-- Nothing to do in the DuckDB file: it compares text byte by byte already. PostgreSQL gets its key columns
-- in the same collation, so that its primary key serves DuckDB's filters (the .postgres.sql).
SELECT 1 WHERE false;
