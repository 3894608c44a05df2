-- Materialised yearly roll-ups: every indicator, year and kind, aggregated from its finest reporting
-- level to every territory of that level and above. Recomputed slice by slice (indicator, year, kind)
-- when values change, so reads at national scale stay in milliseconds and remain exact.
CREATE TABLE rollup_year (
    indicator_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    source_level VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    reported INTEGER NOT NULL,
    expected INTEGER NOT NULL,
    is_demo BOOLEAN,
    updated_at TIMESTAMP
);

-- Slices whose values changed since their roll-up was computed.
CREATE TABLE rollup_dirty (
    indicator_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL
);
