-- Reference geography: France, régions, départements, EPCI and communes in one table.
-- id is level-prefixed because région and département codes overlap ('01' is Guadeloupe and Ain).
CREATE TABLE territory (
    id VARCHAR PRIMARY KEY,              -- FR, REG-11, DEP-77, EPCI-200072130, COM-77475
    level VARCHAR NOT NULL CHECK (level IN ('pays', 'region', 'departement', 'epci', 'commune')),
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    search_name VARCHAR NOT NULL,        -- lower case, no accents, punctuation as spaces
    region_code VARCHAR,
    departement_code VARCHAR,
    epci_siren VARCHAR,
    population BIGINT,
    area_km2 DOUBLE,
    lat DOUBLE,
    lon DOUBLE,
    epci_nature VARCHAR CHECK (epci_nature IN ('CC', 'CA', 'CU', 'ME')),
    in_metropole BOOLEAN,
    postal_codes VARCHAR[],
    dens7 TINYINT CHECK (dens7 BETWEEN 1 AND 7),
    dens7_official BOOLEAN NOT NULL DEFAULT false,     -- false: approximated ("approché")
    cateaav TINYINT CHECK (cateaav IN (11, 12, 13, 20, 30)),
    cateaav_official BOOLEAN NOT NULL DEFAULT false,
    typology VARCHAR CHECK (typology IN ('urbain', 'periurbain', 'rural')),
    typology_official BOOLEAN NOT NULL DEFAULT false,  -- true only when both inputs are official
    rural_population_share DOUBLE,
    UNIQUE (level, code)
);

-- Which official INSEE classification files were imported, and when.
CREATE TABLE classification_import (
    name VARCHAR PRIMARY KEY,            -- 'grille_densite', 'aires_attraction'
    file_name VARCHAR NOT NULL,
    rows_matched INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
