"""Coverage on a tiny hand-computed map, and the grid search against brute force."""

import numpy as np
import pandas as pd

from lieux import coverage
from lieux.placement import clean_code, parse_number
from territories.typology import distance_km


def _communes():
    # Along the 2°E meridian: 0.05° of latitude is 5.56 km, 0.2° is 22.2 km, 1° is 111.2 km.
    return pd.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "name": ["A", "B", "C", "D"],
            "population": [100, 200, 300, 400],
            "lat": [45.0, 45.05, 45.2, 46.0],
            "lon": [2.0] * 4,
            "typology": ["rural", "urbain", "rural", "urbain"],
            "epci_siren": ["E1", "E1", "E2", "E2"],
            "epci_name": ["Un", "Un", "Deux", "Deux"],
        }
    )


def test_shares_gaps_and_ranking_match_hand_counts():
    result = coverage.compute(_communes(), pd.DataFrame({"lat": [45.0], "lon": [2.0]}), km=10)
    assert result["share"] == 30.0  # (100 + 200) / 1 000
    shares = dict(zip(result["by_typology"]["typology"], result["by_typology"]["share"]))
    assert shares == {"rural": 25.0, "urbain": 200 / 6}  # 100 / 400 ; 200 / 600
    assert list(result["epci_without"]["epci_siren"]) == ["E2"]
    best = result["ranking"].iloc[0]
    assert (best["epci_siren"], best["commune_code"], best["gain"]) == ("E2", "D", 400)  # C is 89 km from D


def test_a_wider_distance_covers_more():
    result = coverage.compute(_communes(), pd.DataFrame({"lat": [45.0], "lon": [2.0]}), km=25)
    assert result["share"] == 60.0
    assert result["epci_without"].empty


def test_no_place_covers_nobody():
    result = coverage.compute(_communes(), pd.DataFrame({"lat": [], "lon": []}), km=10)
    assert result["share"] == 0.0 and len(result["epci_without"]) == 2


def test_grid_pairs_equal_brute_force():
    rng = np.random.default_rng(1)
    a_lat, a_lon = rng.uniform(42, 51, 3000), rng.uniform(-4, 8, 3000)
    b_lat, b_lon = rng.uniform(42, 51, 400), rng.uniform(-4, 8, 400)
    ia, ib = coverage.pairs_within(coverage.to_xyz(a_lat, a_lon), coverage.to_xyz(b_lat, b_lon), 15)
    d = distance_km(a_lat[:, None], a_lon[:, None], b_lat[None], b_lon[None])
    assert set(zip(ia.tolist(), ib.tolist())) == set(zip(*np.nonzero(d <= 15)))


def test_dirty_codes_and_numbers_are_cleaned():
    assert clean_code("1053") == ("01053", True)
    assert clean_code(" 77475 ") == ("77475", False)
    assert clean_code("2a004") == ("2A004", False)
    assert clean_code("1053.0") == ("01053", True)
    for blank in ("0", "#N/D", "", None, "00000"):
        assert clean_code(blank) == (None, False)
    assert parse_number("48,95") == 48.95 and parse_number("#N/D") is None
