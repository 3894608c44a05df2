-- A target of a flow indicator may count everything since a date (3 000 missions since the 2021 plan):
-- progress then compares the running total since that date, not the last period's flow, with the target.
ALTER TABLE measure_indicator ADD COLUMN cumulative_since DATE;
