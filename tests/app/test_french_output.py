"""What people read on the progress and territory pages is French: charts, numbers, icons, sources, years."""

import json
import re
from datetime import date

import pytest

from accounts.models import Role, Scope, User
from tests.app.test_territoire import open_as_elu, texts

MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


@pytest.fixture
def ministry(app):
    app.session_state["user"] = MINISTRY
    return app


def specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def everything_read(at) -> str:
    shown = [
        str(e.value)
        for e in (
            *at.markdown,
            *at.caption,
            *at.warning,
            *at.info,
            *at.error,
            *at.success,
            *at.metric,
            *at.subheader,
            *at.header,
            *at.title,
        )
    ]
    shown += [m.label for m in at.metric] + [str(m.proto.delta) for m in at.metric]
    shown += [d.value.to_csv() for d in at.dataframe]
    return " ".join(shown)


def test_every_chart_of_the_dashboard_speaks_french_numbers(ministry):
    at = ministry.run()
    charts = specs(at)
    assert len(charts) >= 2
    for spec in charts:
        number = spec["config"]["locale"]["number"]
        assert number["decimal"] == "," and number["thousands"] in ("\u00a0", "\u202f")
        assert spec["config"]["locale"]["time"]["months"][0] == "janvier"
    legend = charts[0]["encoding"]["color"]["condition"]["legend"]
    assert legend["format"] != ",.0f"  # a percentage legend keeps its decimal


def test_ratio_legend_keeps_small_values_apart(ministry):
    at = ministry.run()
    map_picker = next(s for s in at.selectbox if s.label == "Indicateur")
    map_picker.set_value("TL_POUR_10K")
    at.radio[0].set_value("departement")
    at = at.run()
    legend = specs(at)[0]["encoding"]["color"]["condition"]["legend"]
    assert legend["format"] == ",.2~f"  # 1,26 / 1,5 / 2,1, not "2, 1, 1"


def test_no_emoji_anywhere_and_statuses_say_their_word(ministry):
    at = ministry.run()
    page = everything_read(at)
    assert not EMOJI.search(page), EMOJI.findall(page)
    assert ":material/" in " ".join(str(c.value) for c in at.caption)  # icons that render without an emoji font
    statuses = set(at.dataframe[0].value["Statut calculé"])
    assert statuses <= {"Atteint", "Dans les temps", "En retard", "Compromis", "Sans données", "—"}


def test_the_a2_card_says_its_status_is_the_whole_measures(ministry):
    at = ministry.run()
    caption = next(str(c.value) for c in at.caption if "Mesure M2.1" in str(c.value))
    # M2.1 reads "Atteint" since the ZRR share is no longer set against its rural target (FAB_PART_ZRR)
    assert "tous ses indicateurs" in caption and "Atteint" in caption


def test_a_negative_gap_badge_points_down_in_red(ministry):
    ministry.switch_page("ui/mesures.py")
    ministry.query_params["mesure"] = "M4.3"  # service civique, late on its cumulative trajectory
    at = ministry.run()
    gap = next(m for m in at.metric if m.label == "Attendu sur la trajectoire")
    assert gap.proto.delta.startswith("\u2212")  # a real minus sign, never a hyphen
    assert gap.proto.direction == gap.proto.MetricDirection.DOWN
    assert gap.proto.color == gap.proto.MetricColor.RED
    assert not EMOJI.search(everything_read(at))


def test_territory_compares_on_the_last_year_with_values_and_lets_one_choose(app):
    at = open_as_elu(app, territoire="77475")
    assert not at.exception
    last_closed = date.today().year - 1
    year = at.selectbox(key="compare_year")
    assert year.value == last_closed  # not the year in progress
    assert f"sur l'année {last_closed}" in texts(at)
    comparison = at.dataframe[1].value
    assert set(comparison["Période"]) <= {str(y) for y in range(2000, last_closed + 1)}
    year.set_value(2021)
    at = at.run()
    assert set(at.dataframe[1].value["Période"]) <= {str(y) for y in range(2000, 2022)}
    assert "sur l'année 2021" in texts(at)


def test_the_source_column_names_where_each_value_comes_from(app):
    at = open_as_elu(app, territoire="77475")
    plan = next(d.value for d in at.dataframe if "Objectif" in d.value.columns)
    opened = plan[plan["Indicateur"] == "Tiers-lieux ouverts"]["Source"].iloc[0]
    # Trilport's count is computed from the registry, not taken from the 2023 census.
    assert opened.startswith("Registre des tiers-lieux de Carrefours") and "Recensement" not in opened


@pytest.mark.national  # Trilport's peers number over a thousand among all French communes
def test_territory_page_numbers_are_french(app):
    at = open_as_elu(app, territoire="77475")
    page = texts(at)
    count = re.search(r"Comparé à ([\d\u202f]+) territoires", page).group(1)
    assert int(count.replace("\u202f", "")) >= 1000 and "\u202f" in count  # "1 740", not "1740"
    evolution = next((d.value for d in at.dataframe if "Médiane des comparables" in d.value.columns), None)
    if evolution is not None:
        assert not evolution.to_csv().count(".")  # no English decimal point in a shown figure
