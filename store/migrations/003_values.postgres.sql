-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot create a sequence in an attached PostgreSQL database.
-- Values, targets and baselines of an indicator per territory and period.
CREATE TABLE indicator_value (
    indicator_code VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,             -- 2024, 2024Q3, 2024-09
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('actual', 'target', 'baseline')),
    value DOUBLE PRECISION,
    numerator DOUBLE PRECISION,
    denominator DOUBLE PRECISION,
    source VARCHAR,
    comment VARCHAR,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    published BOOLEAN NOT NULL DEFAULT true,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (indicator_code, territory_id, period, kind)
);

-- Append-only trail of every change (values, registry, plan, accounts, sign-ins, exports).
CREATE SEQUENCE audit_seq;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,             -- value, lieu, measure, account, session, export
    entity_key VARCHAR,
    action VARCHAR NOT NULL,
    how VARCHAR,                         -- saisie, import, correction, annulation, suppression, seed
    old_data JSON,
    new_data JSON,
    source VARCHAR,
    comment VARCHAR
);
