"""The council sheet PDF and its French number formats, built from a hand-made comparison."""

import io

import numpy as np
import pandas as pd
import pypdf

from comparison import council_sheet
from comparison.peers import PeerGroup, compare


def hand_made(is_demo: bool) -> tuple[dict, dict]:
    territory = {
        "id": "COM-00001",
        "level": "commune",
        "code": "00001",
        "name": "Bourg-sur-Essai",
        "population": 2000,
        "typology": "rural",
        "typology_official": True,
        "dens7": 5,
        "dens7_official": True,
        "in_metropole": False,
        "epci_siren": None,
        "region_code": "11",
    }
    stats = compare(
        np.array([3.0, 40.0]),
        np.array([[1.0, 20.0], [2.0, 25.0], [5.0, 30.0]]),
        np.array([False, True]),
        np.array([False, True]),
    )
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "code": ["TL_OUVERTS", "ZE_SANS_TL"],
                    "name": ["Tiers-lieux ouverts", "Zones d'emploi sans tiers-lieu"],
                    "unit": ["tiers-lieux", "%"],
                    "kind": ["count", "percentage"],
                    "direction": ["up", "down"],
                    "period": ["2025", "2025"],
                    "prev_period": ["2024", "2024"],
                    "source_title": ["Registre", "Mission"],
                    "is_demo": [is_demo, False],
                    "value": [3.0, 40.0],
                    "value_basis": [15.0, 40.0],
                    "basis_label": ["pour 10 000 hab.", ""],
                    "trend": ["hausse", "stable"],
                    "peer_trend": ["stable", ""],
                    "available": [True, True],
                    "plain": ["mieux que 2 des 3 territoires comparables"] * 2,
                }
            ),
            stats,
        ],
        axis=1,
    )
    members = pd.DataFrame({"id": ["COM-2", "COM-3", "COM-4"], "name": ["Deux", "Trois", "Quatre"]})
    result = {
        "territory": territory,
        "peers": PeerGroup(members, ["Même niveau (communes)"]),
        "table": table,
        "is_demo": is_demo,
    }
    sheet = {"territory": territory, "density": 40.0, "lieux_total": 1, "lieux": pd.DataFrame({"is_demo": [is_demo]})}
    return result, sheet


def pdf_text(result, sheet) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(council_sheet.build_pdf(result, sheet)))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_pdf_has_name_peer_count_flag_and_no_demo_label_on_real_data():
    pages, text = pdf_text(*hand_made(is_demo=False))
    assert pages == 1
    assert "Bourg-sur-Essai" in text and "Territoires comparables : 3" in text
    assert "écart marqué" in text  # 40 % against a median of 25 %: 15 points
    assert "DÉMONSTRATION" not in text and "approché" not in text


def test_pdf_carries_the_demo_label_when_demo_values_show():
    _, text = pdf_text(*hand_made(is_demo=True))
    assert "DONNÉES DE DÉMONSTRATION" in text


def test_french_formats():
    assert council_sheet.display_basis("count", 1.944) == "1,94 pour 10\u202f000 hab."
    assert council_sheet.display_gap("percentage", -12.34) == "−12,3 points"
    assert council_sheet.display_gap("count", 0.0) == "0,00"
    assert council_sheet.compact("count", 0.0123) == "0,0123"
    assert council_sheet.display_value("amount_eur", 45e6) == "45\u202fM€"
    assert council_sheet.display_value("percentage", None) == "—"
