-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot create a sequence in an attached PostgreSQL database.
-- The action plan: axes > measures, indicators attached with weights, sources of every figure.
CREATE TABLE source (
    code VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    publisher VARCHAR,
    published_on VARCHAR,
    licence VARCHAR
);

CREATE TABLE axis (
    code VARCHAR PRIMARY KEY,
    position INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR
);

CREATE TABLE measure (
    code VARCHAR PRIMARY KEY,
    axis_code VARCHAR NOT NULL,
    parent_code VARCHAR,
    position INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    pilot_org VARCHAR,
    pilot_people VARCHAR,
    elu_referent VARCHAR,
    start_date DATE,
    end_date DATE,
    status VARCHAR NOT NULL CHECK (status IN ('a_venir', 'en_cours', 'realise', 'en_pause', 'abandonne',
                                              'bloque', 'en_retard', 'a_discuter')),
    meteo VARCHAR NOT NULL CHECK (meteo IN ('soleil', 'couvert', 'nuage', 'orage', 'non_renseignee')),
    budget_planned_eur DOUBLE PRECISION,
    budget_actual_eur DOUBLE PRECISION,
    source_code VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_by VARCHAR NOT NULL DEFAULT 'seed'
);

CREATE TABLE measure_budget (
    measure_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    planned_eur DOUBLE PRECISION,
    actual_eur DOUBLE PRECISION,
    source_code VARCHAR,
    PRIMARY KEY (measure_code, year)
);

CREATE TABLE measure_milestone (
    measure_code VARCHAR NOT NULL,
    on_date DATE NOT NULL,
    title VARCHAR NOT NULL,
    done BOOLEAN NOT NULL,
    source_code VARCHAR,
    PRIMARY KEY (measure_code, on_date, title)
);

CREATE TABLE measure_status_history (
    measure_code VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    meteo VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    comment VARCHAR
);

CREATE SEQUENCE measure_note_seq;
CREATE TABLE measure_note (
    id BIGINT PRIMARY KEY DEFAULT nextval('measure_note_seq'),
    measure_code VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    author VARCHAR NOT NULL,
    text VARCHAR NOT NULL
);

CREATE TABLE indicator (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('count', 'amount_eur', 'percentage', 'ratio', 'score')),
    direction VARCHAR NOT NULL CHECK (direction IN ('up', 'down')),
    territorial_agg VARCHAR NOT NULL CHECK (territorial_agg IN ('sum', 'ratio_of_sums',
        'population_weighted_mean', 'min', 'max', 'none')),
    temporal_agg VARCHAR NOT NULL CHECK (temporal_agg IN ('sum', 'last')),
    period_type VARCHAR NOT NULL CHECK (period_type IN ('year', 'quarter', 'month')),
    per_inhabitants INTEGER,
    computed_from VARCHAR NOT NULL CHECK (computed_from IN ('saisie', 'registre')),
    source_code VARCHAR,
    method VARCHAR
);

-- The target (and baseline) that counts for a measure, when an indicator serves several measures.
CREATE TABLE measure_indicator (
    measure_code VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    weight DOUBLE PRECISION NOT NULL CHECK (weight >= 0),
    baseline_period VARCHAR,
    target_period VARCHAR,
    PRIMARY KEY (measure_code, indicator_code)
);
