"""Peer selection and peer statistics on hand-built territories."""

import numpy as np
import pandas as pd
import pytest

from comparison.peers import PeerCriteria, band_bounds, compare, plain_rank, quantiles, select_peers


def territory(id_, population, typology="rural", region="11", level="commune", area=10.0, rural=None):
    return {
        "id": id_,
        "level": level,
        "code": id_,
        "name": f"Commune {id_}",
        "population": population,
        "area_km2": area,
        "typology": typology,
        "region_code": region,
        "rural_population_share": rural,
    }


def frame(*rows):
    return pd.DataFrame(list(rows))


ME = territory("ME", 1000)


def test_default_peers_are_same_level_same_typology_and_population_within_half():
    candidates = frame(
        ME,
        territory("A", 500),
        territory("B", 1500),
        territory("C", 499),
        territory("D", 1501),
        territory("E", 1000, typology="urbain"),
        territory("F", 1000, level="epci"),
        territory("G", 800),
        territory("H", 1200),
        territory("I", 900),
    )
    group = select_peers(candidates, ME)
    assert sorted(group.members["id"]) == ["A", "B", "G", "H", "I"]
    assert group.n == 5 and not group.widened
    assert group.criteria[1] == "Même typologie (Rural)"
    assert "±50\u202f% : de 500 à 1\u202f500 habitants" in group.criteria[2]


def test_the_territory_itself_is_never_its_own_peer():
    candidates = frame(ME, *[territory(str(i), 1000) for i in range(6)])
    assert "ME" not in set(select_peers(candidates, ME).members["id"])


def test_a_group_below_five_widens_the_band_first_and_says_so():
    candidates = frame(
        ME, territory("A", 1100), territory("B", 900), territory("C", 1900), territory("D", 1950), territory("E", 520)
    )
    group = select_peers(candidates, ME)
    assert group.n == 5 and group.widened
    assert group.applied["band"] == 1.0 and group.applied["same_typology"] is True
    assert "Groupe trop petit" in group.notes[0] and "élargie à ±100\u202f%" in group.notes[0]
    assert "(3 communes, minimum 5)" in group.notes[0]


def test_then_the_typology_criterion_is_dropped_with_the_narrowest_band_that_suffices():
    candidates = frame(
        ME, territory("A", 1000), territory("B", 1000), *[territory(f"U{i}", 1000, typology="urbain") for i in range(4)]
    )
    group = select_peers(candidates, ME)
    assert group.n == 6
    assert group.applied == {"mode": "band", "band": 0.5, "same_region": False, "same_typology": False}
    assert "critère de typologie abandonné" in group.notes[0]
    assert not any(c.startswith("Même typologie") for c in group.criteria)


def test_same_region_is_dropped_last_when_the_region_is_too_small():
    candidates = frame(ME, territory("A", 1000), *[territory(f"X{i}", 1000, region="84") for i in range(5)])
    group = select_peers(candidates, ME, PeerCriteria(same_region=True))
    assert group.n == 6 and group.applied["same_region"] is False
    assert "toute la France" in group.notes[0]
    assert "Même région" not in group.criteria


def test_same_region_keeps_only_the_region_when_enough():
    candidates = frame(
        ME, *[territory(f"A{i}", 1000) for i in range(5)], *[territory(f"X{i}", 1000, region="84") for i in range(5)]
    )
    group = select_peers(candidates, ME, PeerCriteria(same_region=True))
    assert set(group.members["region_code"]) == {"11"} and "Même région" in group.criteria


def test_a_level_with_fewer_than_five_others_takes_them_all():
    candidates = frame(ME, territory("A", 10), territory("B", 90000, typology="urbain"))
    group = select_peers(candidates, ME)
    assert sorted(group.members["id"]) == ["A", "B"]
    assert "minimum 2" in group.notes[0]


def test_band_bounds_keep_widening_past_100_percent():
    assert band_bounds(1000, 0.5) == (500, 1500)
    assert band_bounds(1000, 1.0) == (500, 2000)
    assert band_bounds(1000, 2.0) == (pytest.approx(333.33, 0.01), 3000)


def test_k_most_similar_on_population_density_and_rurality():
    candidates = frame(
        ME,
        territory("NEAR", 1050),
        territory("DENSE", 1000, area=0.5),
        territory("BIG", 90000),
        territory("URB", 1000, typology="urbain"),
        territory("MID", 3000),
        territory("FAR", 20),
    )
    group = select_peers(candidates, ME, PeerCriteria(mode="k", k=5))
    assert next(iter(group.members["id"])) == "NEAR"
    assert group.n == 5 and "URB" not in set(group.members["id"])  # same size, but not rural
    assert group.members["distance"].is_monotonic_increasing


def test_k_below_five_is_raised_to_five_and_says_so():
    candidates = frame(ME, *[territory(str(i), 1000 + i) for i in range(8)])
    group = select_peers(candidates, ME, PeerCriteria(mode="k", k=2))
    assert group.n == 5 and "porté à 5" in group.notes[0]


def test_bad_criteria_are_refused_in_french():
    with pytest.raises(ValueError, match="fourchette"):
        PeerCriteria(band=0)
    with pytest.raises(ValueError, match="k"):
        PeerCriteria(mode="k")


# --- statistics --------------------------------------------------------------------------------------


def test_quantiles_ignore_missing_values_column_by_column():
    matrix = np.array([[1.0, np.nan], [2.0, 10.0], [3.0, np.nan], [4.0, 20.0], [np.nan, np.nan]])
    (q1, med, q3), n = quantiles(matrix)
    assert list(n) == [4, 2]
    assert med[0] == 2.5 and q1[0] == 1.75 and q3[0] == 3.25  # linear, like DuckDB quantile_cont
    assert med[1] == 15.0
    empty, n_empty = quantiles(np.full((3, 1), np.nan))
    assert n_empty[0] == 0 and np.isnan(empty[1][0])


def test_rank_and_percentile_with_ties():
    peers = np.array([[1.0], [2.0], [2.0], [3.0], [5.0]])
    row = compare(np.array([2.0]), peers, np.array([False])).iloc[0]
    assert (row["better"], row["equal"], row["worse"]) == (1, 2, 2)
    assert row["rank"] == 3 and row["out_of"] == 6  # two peers ahead: third, ex aequo
    assert row["percentile"] == pytest.approx(40.0)  # (1 + 2/2) / 5
    assert row["median"] == 2.0 and row["gap"] == 0.0 and not row["favourable"]


def test_down_indicators_rank_the_lowest_value_first():
    peers = np.array([[10.0], [20.0], [30.0], [40.0]])
    up = compare(np.array([15.0]), peers, np.array([False])).iloc[0]
    down = compare(np.array([15.0]), peers, np.array([True])).iloc[0]
    assert up["better"] == 1 and up["rank"] == 4
    assert down["better"] == 3 and down["rank"] == 2
    assert down["gap"] == -10.0 and down["favourable"] and not up["favourable"]


def test_missing_values_are_neither_counted_nor_ranked():
    peers = np.array([[1.0, 1.0], [np.nan, 2.0], [3.0, np.nan]])
    result = compare(np.array([np.nan, 5.0]), peers, np.array([False, False]))
    assert list(result["n"]) == [2, 2]
    assert np.isnan(result.loc[0, "rank"]) and np.isnan(result.loc[0, "percentile"])
    assert result.loc[1, "better"] == 2 and result.loc[1, "rank"] == 1


def test_tiny_and_empty_groups():
    one = compare(np.array([4.0]), np.array([[2.0]]), np.array([False])).iloc[0]
    assert one["n"] == 1 and one["median"] == 2.0 and one["q1"] == 2.0 and one["rank"] == 1
    none = compare(np.array([4.0]), np.zeros((0, 1)), np.array([False])).iloc[0]
    assert none["n"] == 0 and np.isnan(none["median"]) and np.isnan(none["rank"])


def test_percentage_gaps_are_flagged_beyond_ten_points():
    peers = np.array([[40.0, 40.0], [50.0, 50.0], [60.0, 60.0]])
    result = compare(np.array([61.0, 59.0]), peers, np.array([False, False]), np.array([True, True]))
    assert list(result["flagged"]) == [True, False]


def test_other_kinds_are_flagged_outside_the_quartiles():
    peers = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    assert not compare(np.array([3.5]), peers, np.array([False])).loc[0, "flagged"]
    assert compare(np.array([4.5]), peers, np.array([False])).loc[0, "flagged"]


def test_plain_french_rank():
    assert plain_rank(7, 0, 10) == "mieux que 7 territoires comparables sur 10"
    assert plain_rank(70, 0, 100) == "mieux que 7 territoires comparables sur 10"
    assert plain_rank(10, 0, 100) == "mieux qu'un territoire comparable sur 10"
    assert plain_rank(0, 80, 100) == "mieux qu'aucun territoire comparable, à égalité avec 8 sur 10"
    assert plain_rank(3, 1, 6) == "mieux que 3 des 6 territoires comparables, à égalité avec 1"
    assert plain_rank(0, 0, 0) == "aucun territoire comparable n'a de valeur"
