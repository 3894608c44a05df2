-- PostgreSQL's own SQL for this migration: the values' key columns compare byte by byte, as in DuckDB.
-- DuckDB forwards `column = 'x'` with COLLATE "C"; under the database's default collation PostgreSQL could
-- not use the primary key's index for it and read all the values (21 million rows, 1,2 s) to find one.
-- The type is unchanged: only the index is rebuilt, not the table.
ALTER TABLE indicator_value
    ALTER COLUMN indicator_code TYPE VARCHAR COLLATE "C",
    ALTER COLUMN territory_id TYPE VARCHAR COLLATE "C",
    ALTER COLUMN period TYPE VARCHAR COLLATE "C",
    ALTER COLUMN kind TYPE VARCHAR COLLATE "C";
