import numpy as np

from territories.names import normalize
from territories.typology import approximate, distance_km, typology_class


def test_distance_paris_lyon_is_about_392_km():
    assert abs(distance_km(48.8566, 2.3522, 45.7640, 4.8357) - 392) < 5


def test_approximation_separates_city_crown_and_countryside():
    # A big dense city, a small dense town 10 km away, and an empty village 80 km away.
    population = [500_000, 3_000, 150]
    area = [100, 10, 20]
    lat = [45.0, 45.09, 45.7]
    lon = [5.0, 5.0, 5.0]
    dens7, cateaav = approximate(population, area, lat, lon)
    assert dens7.tolist() == [1, 4, 7]  # INSEE: 4 = ceintures urbaines, 3 = petites villes
    assert cateaav.tolist() == [11, 20, 30]
    assert typology_class(dens7, cateaav).tolist() == ["urbain", "periurbain", "rural"]


def test_rural_is_density_levels_5_to_7_whatever_the_attraction_area():
    assert typology_class(np.array([5, 6, 7, 4]), np.array([20, 20, 30, 30])).tolist() == [
        "rural",
        "rural",
        "rural",
        "urbain",
    ]


def test_names_are_normalised_for_search():
    assert normalize("Saint-Étienne") == "saint etienne"
    assert normalize("L'Haÿ-les-Roses") == "l hay les roses"
    assert normalize("Œuilly") == "oeuilly"


def test_the_approximation_counts_about_as_many_rural_people_and_communes_as_insee():
    # INSEE's 2021 density grid: rural communes (DENS7 5–7) are 88 % of communes and 33 % of the population.
    import pandas as pd

    from tests.conftest import ROOT

    communes = pd.read_csv(ROOT / "data/territories/communes.csv.gz", dtype={"code": str})
    dens7, _ = approximate(communes["population"], communes["area_km2"], communes["lat"], communes["lon"])
    rural = np.isin(dens7, (5, 6, 7))
    population_share = 100 * communes["population"][rural].sum() / communes["population"].sum()
    assert abs(population_share - 33) <= 1.0, population_share
    assert abs(100 * rural.mean() - 88) <= 1.5, 100 * rural.mean()
