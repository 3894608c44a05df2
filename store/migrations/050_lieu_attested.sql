-- A census attests that a place was open on a date even when its opening date is unknown (the CGET
-- 2019 census has no opening dates): such places count as open from that date in the indicators.
ALTER TABLE lieu ADD COLUMN attested_on DATE;
