"""French formatting as pages use it: the shared formatting, plus escaping for st.markdown.

The numbers, dates and CSV live in `formatting/` (the CLI and the council sheet use them too); only the
markdown escaping, which is about how Streamlit renders text, belongs here.
"""

from __future__ import annotations

import re

from formatting.french import (  # noqa: F401  (re-exported: pages call fmt.number, fmt.day, …)
    ACTORS,
    MINUS,
    NBSP,
    PARIS,
    actor,
    by_kind,
    csv_bytes,
    day,
    editable,
    euros,
    moment,
    number,
    paris,
    percent,
)

# What can open a link or an image ([, <, bare http:// and www. addresses), emphasis, code, LaTeX,
# tables, headings or HTML; other punctuation ("Île-de-France", "(démo)") stays as typed. A bare
# e-mail may still become a mailto: link, which loads nothing and opens no site.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~$|#&!])|:(?=//)|(?<=www)\.", re.IGNORECASE)


def plain(text: object) -> str:
    """Text from a user, a file or the URL, shown literally in st.markdown/st.error/… (line breaks kept)."""
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(0), "" if text is None else str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
