-- Why a lieu is to be checked ("à vérifier"): its code, postal code and coordinates disagree, or it looks
-- like a duplicate of another lieu. Empty when nothing is to be checked.
ALTER TABLE lieu ADD COLUMN review_reason VARCHAR;
