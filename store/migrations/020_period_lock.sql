-- Periods closed for a region by the national team: later value changes there are refused except by them.
-- period_start/period_end let a yearly lock cover the quarters and months inside it.
CREATE TABLE period_lock (
    region VARCHAR NOT NULL,             -- region code as in territory.region_code ('11', '84')
    period VARCHAR NOT NULL,             -- 2024, 2024Q3, 2024-09
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    locked_by VARCHAR NOT NULL,
    locked_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (region, period)
);

