-- Review before publication. indicator_review lists the indicators whose values typed or imported by a
-- coordinator wait for the national team's validation (the plan catalogue's `review` setting, synced at
-- start). value_state holds the review state of each value that is not published: 'soumis' (awaiting
-- validation) or 'a_corriger' (returned with a reason); a published value has no row. previous_value is
-- the figure the public saw before the submission (NULL for a new value), so a reviewer sees what changes;
-- the version a reviewer validates is the value's own (indicator_value.version), checked when validating.
CREATE TABLE indicator_review (
    indicator_code VARCHAR PRIMARY KEY
);

CREATE TABLE value_state (
    indicator_code VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    state VARCHAR NOT NULL CHECK (state IN ('soumis', 'a_corriger')),
    previous_value DOUBLE,
    was_published BOOLEAN NOT NULL DEFAULT false,
    reason VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (indicator_code, territory_id, period, kind)
);
