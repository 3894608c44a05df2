-- Slices (indicator, year, kind) whose roll-ups are up to date for the régions and France only:
-- their rows for communes, EPCI and départements are computed on the first read that needs them.
-- The first start fills it, so that the national dashboard is drawn without waiting for the
-- millions of communal rows.
CREATE TABLE rollup_deferred (
    indicator_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL
);
