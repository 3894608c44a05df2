-- Figures a source gives for the same indicator and period as a plan value, but that the plan does not
-- use (sources disagree). Shown beside the value the plan uses; never used in a rate or a status.
CREATE TABLE reference_value (
    indicator_code VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    source VARCHAR,
    comment VARCHAR,
    PRIMARY KEY (indicator_code, territory_id, period, value)
);
