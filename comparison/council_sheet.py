"""The council sheet: a printable PDF (one or two A4 pages) and a French CSV of the same numbers.

Built from the comparison service's output only, so the page, the PDF, the CSV and the command line
show the same figures. The PDF embeds Source Sans Pro (SIL OFL), shipped by the pinned
`font-source-sans-pro` package: nothing to install from Debian, nothing downloaded at run time.
"""

from __future__ import annotations

from datetime import date

import font_source_sans_pro
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from formatting import french as fmt
from territories.levels import LABELS as LEVEL_LABELS
from territories.typology import DENS7_LABELS, TYPOLOGY_LABELS

FONT = "SourceSans"
DEMO_LABEL = (
    "DONNÉES DE DÉMONSTRATION — les valeurs par région, département, EPCI et commune, et le "
    "registre des lieux, sont générées pour la démonstration. Ne pas diffuser comme des chiffres réels."
)
APPROX_NOTE = (
    "« approché » : typologie calculée par Carrefours à partir de la densité et de la distance aux "
    "pôles, en attendant l'import des fichiers officiels de l'INSEE (grille de densité, aires "
    "d'attraction des villes 2020)."
)
METHOD_NOTE = (
    "Comparaison : pourcentages et ratios tels quels ; effectifs rapportés à 10 000 habitants ; "
    "montants en euros par habitant. Médiane et quartiles des territoires comparables ayant une "
    "valeur ; écart signalé au-delà de 10 points pour un pourcentage, hors des quartiles sinon."
)
TERRITORY_SOURCES = (
    "Code officiel géographique et populations légales (INSEE), intercommunalités "
    "(Banatic, DGCL) ; registre des tiers-lieux de Carrefours."
)


def display_value(kind: str, value: float | None) -> str:
    """A raw value in French: 46 %, 1 234, 45 M€, 3,25 (ratio)."""
    return fmt.by_kind(value, kind)


def display_basis(kind: str, value: float | None) -> str:
    """A value in its compared form: 1,94 pour 10 000 hab., 12,3 € par habitant, 46 %."""
    if value is None or value != value:
        return "—"
    if kind == "count":
        return f"{fmt.number(value, 2)} pour 10{fmt.NBSP}000 hab."
    if kind == "amount_eur":
        return f"{fmt.number(value, 2)}{fmt.NBSP}€/hab."
    return display_value(kind, value)


def compact(kind: str, value: float | None) -> str:
    """A compared value as a bare number (its base is said once beside the territory's value)."""
    if value is None or value != value:
        return "—"
    if kind == "percentage":
        return fmt.percent(value, 1)
    return fmt.number(value, 2 if value == 0 or abs(value) >= 0.1 else 4)  # small rates keep their digits


def display_gap(kind: str, gap: float | None) -> str:
    """Gap to the peer median, signed: +12 points, −0,35 pour 10 000 hab."""
    if gap is None or gap != gap:
        return "—"
    sign = "+" if gap > 1e-9 else "−" if gap < -1e-9 else ""
    if kind == "percentage":
        return f"{sign}{fmt.number(abs(gap), 1)} points"
    return sign + compact(kind, abs(gap))


TREND_WORDS = {"hausse": "en hausse", "baisse": "en baisse", "stable": "stable", "": "—"}


def identity_lines(sheet: dict) -> list[str]:
    """Identity of the territory in French lines (shared by the page and the PDF)."""
    t = sheet["territory"]
    approx = "" if t["typology_official"] else " (approché)"
    lines = [
        f"{LEVEL_LABELS[t['level']]} · code {t['code']}",
        (f"Population : {fmt.number(t['population'])} habitants · densité : {fmt.number(sheet['density'])} hab./km²"),
        f"Typologie{approx} : {TYPOLOGY_LABELS.get(t['typology'], '—')}",
    ]
    if t["level"] == "commune" and t["dens7"] == t["dens7"] and t["dens7"] is not None:
        dens_note = "" if t["dens7_official"] else " (approché)"
        lines.append(f"Grille de densité{dens_note} : {DENS7_LABELS.get(int(t['dens7']), '—')}")
    if sheet.get("epci") and t["level"] == "commune":
        lines.append(f"EPCI : {sheet['epci']['name']}")
    if sheet.get("departement"):
        lines.append(f"Département : {sheet['departement']['name']}")
    if sheet.get("region") and t["level"] != "region":
        lines.append(f"Région : {sheet['region']['name']}")
    if t["in_metropole"] is True:
        lines.append("Membre d'une des 22 métropoles")
    elif t["level"] in ("commune", "epci"):
        lines.append("Hors métropole")
    return lines


def value_sources(table: pd.DataFrame) -> pd.Series:
    """Where each value comes from: the values' own sources, else the indicator's catalogue source."""
    own = table["value_source"] if "value_source" in table else pd.Series(None, index=table.index, dtype="object")
    return own.fillna(table["source_title"])


def csv_frame(result: dict) -> pd.DataFrame:
    """The comparison as a table with French headers (the numbers of the PDF), for fmt.csv_bytes."""
    t, table = result["territory"], result["table"]
    frame = pd.DataFrame(
        {
            "Territoire": t["name"],
            "Code territoire": t["code"],
            "Nombre de pairs": result["peers"].n,
            "Indicateur": table["name"],
            "Code indicateur": table["code"],
            "Période": table["period"],
            "Valeur": table["value"],
            "Unité": table["unit"],
            "Valeur comparée": table["value_basis"],
            "Base de comparaison": table["basis_label"].where(table["basis_label"] != "", "telle quelle"),
            "Pairs avec une valeur": table["n"],
            "1er quartile des pairs": table["q1"],
            "Médiane des pairs": table["median"],
            "3e quartile des pairs": table["q3"],
            "Rang (1 = meilleur)": table["rank"],
            "Sur": table["out_of"],
            "Centile": table["percentile"].round(1),
            "Écart à la médiane": table["gap"],
            "Écart signalé": table["flagged"].map({True: "oui", False: "non"}),
            "Position": table["plain"],
            "Sens": table["direction"].map({"up": "plus haut = mieux", "down": "plus bas = mieux"}),
            "Évolution du territoire": table["trend"].map(TREND_WORDS),
            "Évolution de la médiane des pairs": table["peer_trend"].map(TREND_WORDS),
            "Période précédente": table["prev_period"],
            "Données de démonstration": table["is_demo"].map({True: "oui", False: "non"}),
            "Source": value_sources(table).fillna("Registre des tiers-lieux de Carrefours"),
        }
    )
    return frame


class _Sheet(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.cell(
            0,
            5,
            f"Carrefours — fiche conseil éditée le {date.today():%d/%m/%Y} — page {self.page_no()}/{{nb}}",
            align="C",
        )


def build_pdf(result: dict, sheet: dict) -> bytes:
    """The council sheet as PDF bytes: identity, peer group, comparison table, sources, demo label."""
    t, group, table = result["territory"], result["peers"], result["table"]
    pdf = _Sheet(format="A4")
    pdf.set_title(f"Fiche conseil — {t['name']}")
    pdf.set_author("Carrefours")
    files = font_source_sans_pro.font_files_ttf
    pdf.add_font(FONT, "", files["SourceSansPro"])
    pdf.add_font(FONT, "B", files["SourceSansProBold"])
    pdf.add_font(FONT, "I", files["SourceSansProIt"])
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(width, 8, f"{t['name']} — fiche pour le conseil", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(90)
    pdf.multi_cell(
        width,
        4.5,
        "Les tiers-lieux de mon territoire comparés à des territoires qui lui ressemblent",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0)
    if result["is_demo"]:
        pdf.ln(2)
        pdf.set_fill_color(255, 236, 200)
        pdf.set_font(FONT, "B", 8.5)
        pdf.multi_cell(width, 4.5, DEMO_LABEL, border=1, fill=True, new_x="LMARGIN", new_y="NEXT", padding=1.5)

    pdf.ln(2)
    _heading(pdf, "Le territoire")
    pdf.set_font(FONT, "", 9)
    lines = identity_lines(sheet)
    lines.append(
        f"Tiers-lieux du registre : {sheet['lieux_total']}"
        + (" (registre de démonstration)" if bool(sheet["lieux"]["is_demo"].any()) else "")
    )
    pdf.multi_cell(width, 4.6, "\n".join(lines), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(1.5)
    _heading(pdf, f"Territoires comparables : {group.n}")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(width, 4.6, "Critères : " + " ; ".join(group.criteria) + ".", new_x="LMARGIN", new_y="NEXT")
    for note in group.notes:
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(width, 4.6, note, new_x="LMARGIN", new_y="NEXT")
    names = ", ".join(group.members["name"].head(12))
    more = f" et {group.n - 12} autres" if group.n > 12 else ""
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(70)
    pdf.multi_cell(
        width,
        4,
        f"Par exemple : {names}{more}. Liste complète dans l'export CSV du groupe ou sur la page « Mon territoire ».",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0)

    pdf.ln(1.5)
    _heading(pdf, "Comparaison, indicateur par indicateur")
    available = table[table["available"]]
    pdf.set_font(FONT, "", 7.8)
    heading_style = FontFace(emphasis="BOLD", fill_color=(225, 232, 240))
    with pdf.table(
        col_widths=(34, 12, 28, 26, 36, 22, 24),
        text_align="LEFT",
        line_height=3.9,
        headings_style=heading_style,
        padding=0.8,
    ) as grid:
        grid.row(
            [
                "Indicateur",
                "Période",
                "Valeur",
                "Médiane des pairs [1er – 3e quartile]",
                "Position",
                "Écart à la médiane",
                "Évolution",
            ]
        )
        for row in available.to_dict("records"):
            kind = row["kind"]
            value = display_value(kind, row["value"])
            if kind in ("count", "amount_eur") and row["value"] == row["value"]:
                value += f"\nsoit {display_basis(kind, row['value_basis'])}"
            median = f"{compact(kind, row['median'])}\n[{compact(kind, row['q1'])} – {compact(kind, row['q3'])}]"
            gap = display_gap(kind, row["gap"]) + ("\n▲ écart marqué" if row["flagged"] else "")
            evolution = (
                f"{TREND_WORDS[row['trend']]} depuis {row['prev_period']}\npairs : {TREND_WORDS[row['peer_trend']]}"
            )
            name = row["name"] + (" (↓)" if row["direction"] == "down" else "")
            grid.row([name, str(row["period"]), value, median, f"{row['plain']} (n = {row['n']})", gap, evolution])
    missing = table[~table["available"]]["name"].tolist()
    pdf.set_font(FONT, "I", 7.5)
    if missing:
        pdf.ln(1)
        pdf.multi_cell(
            width,
            3.8,
            "Sans valeur comparable à ce niveau : " + ", ".join(missing) + ".",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(
        width,
        3.8,
        "(↓) : plus bas = mieux. Médiane, quartiles et écart sont dans la même base "
        "que la valeur comparée (« soit … »). " + METHOD_NOTE,
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.ln(1.5)
    _heading(pdf, "Sources")
    pdf.set_font(FONT, "", 7.5)
    sources = sorted(set(value_sources(available).dropna()) | {TERRITORY_SOURCES})
    if result["is_demo"]:
        sources.append("Valeurs territoriales et registre : données de démonstration générées par Carrefours.")
    if not t["typology_official"]:
        sources.append(APPROX_NOTE)
    pdf.multi_cell(width, 3.8, "\n".join(f"• {s}" for s in sources), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "B", 11.5)
    pdf.set_text_color(20, 60, 110)
    pdf.cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
