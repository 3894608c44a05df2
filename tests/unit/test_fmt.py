import csv
import io

import pandas as pd

from formatting import french as fmt

NB = "\u202f"


def test_numbers_dates_and_amounts_are_french():
    assert fmt.number(1234.5, 1) == f"1{NB}234,5"
    assert fmt.number(1234567) == f"1{NB}234{NB}567"
    assert fmt.number(None) == "—"
    assert fmt.number(float("nan")) == "—"
    assert fmt.percent(46.07) == f"46{NB}%"
    assert fmt.euros(45_000_000) == f"45{NB}M€"
    assert fmt.euros(12_600_000) == f"12,6{NB}M€"
    assert fmt.euros(250_000) == f"250{NB}000{NB}€"
    assert fmt.day(pd.Timestamp("2026-11-25")) == "25/11/2026"


def test_csv_is_french_with_bom_and_formulas_neutralised():
    frame = pd.DataFrame(
        {"nom": ["=HYPERLINK(\"x\")", "Trilport", "-2+3", "@SUM(A1)"], "valeur": [1.5, 2.0, 3.25, 4.0]}
    )
    data = fmt.csv_bytes(frame)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["nom", "valeur"]
    assert rows[1] == ["'=HYPERLINK(\"x\")", "1,5"]
    assert rows[2] == ["Trilport", "2,0"]
    assert rows[3][0] == "'-2+3" and rows[4][0] == "'@SUM(A1)"


def test_negative_numbers_use_the_minus_sign_and_times_are_in_paris():
    from datetime import datetime

    assert fmt.number(-64) == "\u221264" and fmt.number(-0.01) == "0"
    assert fmt.moment(datetime(2026, 7, 1, 12, 5)) == "01/07/2026 à 14:05"  # stored UTC, shown in summer time
    assert fmt.moment(datetime(2026, 12, 2, 4, 19)) == "02/12/2026 à 05:19"
    assert fmt.day(datetime(2026, 12, 31, 23, 30)) == "01/01/2027"
    assert fmt.editable(1234.5) == f"1{NB}234,5" and fmt.editable(12.0) == "12" and fmt.editable(None) == ""
    assert fmt.actor("seed") == "chargement initial du plan"


def test_csv_rounds_numbers_and_says_oui_non():
    frame = pd.DataFrame({"Part": [0.6476836477543042, 64.76836], "Nombre": [19.0, 2.0], "Démo": [True, False]})
    rows = list(csv.reader(io.StringIO(fmt.csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["0,648", "19", "oui"], ["64,77", "2", "non"]]
