-- Control rules of an indicator, declared in the plan catalogue (data/plan.toml): hard limits refuse a
-- value (min, max, integer); max_change_pct is a soft threshold on the change from the previous period
-- that a writer may confirm with a comment. A separate table keeps the indicator rows' layout unchanged.
CREATE TABLE indicator_rule (
    indicator_code VARCHAR PRIMARY KEY,
    min_value DOUBLE,
    max_value DOUBLE,
    integer_only BOOLEAN NOT NULL DEFAULT false,
    max_change_pct DOUBLE CHECK (max_change_pct IS NULL OR max_change_pct > 0)
);

-- A value flagged "à vérifier" (outlier) that someone checked: kept per value and version, so a value
-- changed since it was checked is flagged again. Outliers themselves are computed on read.
CREATE TABLE value_review (
    indicator_code VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    reviewed_by VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    comment VARCHAR NOT NULL,
    PRIMARY KEY (indicator_code, territory_id, period, kind)
);
