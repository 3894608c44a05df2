-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- indicator_value keeps its PRIMARY KEY (indicator_code, territory_id, period, kind) on PostgreSQL. The key
-- was dropped from the DuckDB file for its size and load time; on PostgreSQL several servers write the
-- same table, so uniqueness must be the database's, not one process's write lock.
SELECT 1;
