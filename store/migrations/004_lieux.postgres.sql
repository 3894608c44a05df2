-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB forwards DEFAULT [] as a DuckDB function call; PostgreSQL's empty array is '{}'.
-- The registry of tiers-lieux.
CREATE TABLE lieu (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    address VARCHAR,
    postal_code VARCHAR,
    commune_code VARCHAR,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    types VARCHAR[] NOT NULL DEFAULT '{}',
    opened_on DATE,
    closed_on DATE,
    legal_form VARCHAR,
    in_qpv BOOLEAN,
    website VARCHAR,
    source VARCHAR NOT NULL,
    source_id VARCHAR,
    placement_rule VARCHAR,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE lieu_label (
    lieu_id VARCHAR NOT NULL,
    label VARCHAR NOT NULL CHECK (label IN ('fabrique_territoire', 'fabrique_numerique',
                                            'manufacture_proximite')),
    year INTEGER NOT NULL,
    PRIMARY KEY (lieu_id, label)
);

-- Facts about the database itself: how it was built, whether demo data is present.
CREATE TABLE app_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
