"""Escaping of user text for st.markdown; French numbers, dates and CSV live in formatting.french."""

from __future__ import annotations

import re

# What can open a link or an image ([, <, bare http:// and www. addresses), emphasis, code, LaTeX,
# tables, headings or HTML; other punctuation ("Île-de-France", "(démo)") stays as typed. A bare
# e-mail may still become a mailto: link, which loads nothing and opens no site.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~$|#&!])|:(?=//)|(?<=www)\.", re.IGNORECASE)


def plain(text: object) -> str:
    """Text from a user, a file or the URL, shown literally in st.markdown/st.error/… (line breaks kept)."""
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(0), "" if text is None else str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
