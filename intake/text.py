"""Text hygiene shared by every input (files, forms, the grid): decoding, control characters, formulas."""

from __future__ import annotations

import re

from intake import FileRefused

# C0 and C1 control characters except tab, line feed and carriage return (which cells may hold).
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
# The one rule for spreadsheet formulas: "=" first, or "+", "-", "@" followed by a function call,
# a DDE link (cmd|…), a sheet reference (…!A1) or a cell reference. "- voir la note du 3 mars",
# "-- à revoir", "+33 6 12 34 56 78" are text, not formulas.
# Written with ASCII classes only so Python's re and Arrow's RE2 (vectorised imports) agree exactly.
FORMULA = (
    r"^[ \t\r\n]*(=|[+\-@][ \t]*(\(|[A-Za-z_][A-Za-z0-9_.]*[ \t]*[(|!]"
    r"|\$?[A-Za-z]{1,3}\$?[0-9]+[ \t]*([-+*/^&:,;)]|$)))"
)
_CONTROL = re.compile(CONTROL)
_FORMULA = re.compile(FORMULA)
FORMULA_MESSAGE = "formule de tableur refusée : écrivez la valeur elle-même, sans = + - @ en tête"


def is_formula(text: object) -> bool:
    """True when a spreadsheet would run this text as a formula (the one rule, used everywhere)."""
    return isinstance(text, str) and _FORMULA.match(text) is not None


def control_character(text: object) -> str | None:
    """The first invisible control character of the text as U+XXXX, or None."""
    found = _CONTROL.search(text) if isinstance(text, str) else None
    return f"U+{ord(found.group()):04X}" if found else None


def control_message(code: str) -> str:
    """French refusal of a control character."""
    return (
        f"caractère de contrôle invisible ({code}) : retirez-le (il vient souvent d'un copier-coller "
        "depuis un terminal ou un autre logiciel)"
    )


def check_text(text: str | None) -> str | None:
    """The text unchanged, or ValueError (French) when it holds a control character or a formula."""
    if text is None:
        return None
    code = control_character(text)
    if code:
        raise ValueError(control_message(code))
    if is_formula(text):
        raise ValueError(f"« {text[:40]} » : {FORMULA_MESSAGE}")
    return text


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); else each line on its own, UTF-8 or else Windows-1252.

    A file pasted together from two sources (one line UTF-8, the next Windows-1252) reads correctly
    instead of turning every accent of one part into mojibake ("Ã©"). NUL bytes anywhere are refused.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRefused("le fichier est en UTF-16 (« texte Unicode ») : enregistrez-le en CSV UTF-8")
    if b"\x00" in data:
        raise FileRefused(
            "ce fichier contient des données binaires (octets nuls), pas du texte : est-ce "
            "vraiment un CSV ? Enregistrez-le au format CSV UTF-8 ou XLSX depuis votre tableur"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError as error:
                raise FileRefused(
                    f"ligne {number} : encodage non reconnu (ni UTF-8 ni Windows-1252) — "
                    "enregistrez le fichier en CSV UTF-8"
                ) from error
    return "\n".join(lines).removeprefix("\ufeff")


def printable(text: object) -> str:
    """Text safe to print on a terminal: control characters shown as \\xNN instead of being run."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
