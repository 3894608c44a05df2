-- indicator_value loses its PRIMARY KEY. Measured at national scale (21 M values, 2 cores): the
-- four-column ART index made the file 1.1 GB instead of 138 MB and bulk loading 3× slower, for no
-- query that needs it (reads prune by zone maps). Uniqueness of (indicator_code, territory_id,
-- period, kind) is kept by the single write path, which serialises writes inside the one process
-- that owns the file (store.db.Database.write) and checks keys before inserting.
CREATE TABLE indicator_value_keyless (
    indicator_code VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('actual', 'target', 'baseline')),
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    source VARCHAR,
    comment VARCHAR,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    published BOOLEAN NOT NULL DEFAULT true,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
INSERT INTO indicator_value_keyless SELECT * FROM indicator_value;
DROP TABLE indicator_value;
ALTER TABLE indicator_value_keyless RENAME TO indicator_value;
