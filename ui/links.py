"""Links between pages that keep the session: only to pages the viewer has, always in the same tab."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ui.context import current_user
from ui.navigation import page_specs

# A target: the page file and its query parameters (the territory, the measure, the period…).
Target = tuple[str, dict[str, str]] | None


def has_page(path: str) -> bool:
    """Whether the viewer's navigation holds this page (a link elsewhere would crash or refuse)."""
    return any(spec[0] == path for spec in page_specs(current_user()))


def page_link(path: str, label: str, icon: str | None = None, query_params: dict | None = None) -> bool:
    """st.page_link to a page of the viewer's navigation; draws nothing (False) for another page."""
    if not has_page(path):
        return False
    st.page_link(path, label=label, icon=icon, query_params=query_params)
    return True


def go_column(
    frame: pd.DataFrame, column: str, labels: Sequence, targets: Sequence[Target], key: str, title: str | None = None
) -> tuple[pd.DataFrame, dict]:
    """Add a column of buttons opening each row's target in this tab; rows whose page the viewer lacks get none.

    Streamlit's LinkColumn always opens a new tab, where the person is signed out: buttons rerun this
    session instead. Returns the frame and its column_config; call follow(key, targets) after drawing it.
    """
    shown = [label if target is not None and has_page(target[0]) else None for label, target in zip(labels, targets)]
    if not any(shown):
        return frame, {}
    frame = frame.drop(columns=column, errors="ignore")
    frame.insert(0, column, shown)  # first, where a thumb or a keyboard finds it
    config = {column: st.column_config.ButtonColumn(title or column, type="tertiary", alignment="left", key=key)}
    return frame, config


def follow(key: str, targets: Sequence[Target]) -> None:
    """Open the target of the row whose button was just clicked (same tab, same session)."""
    click = st.session_state.get(key)
    if not click:
        return
    row = click["row"]
    target = targets[row] if 0 <= row < len(targets) else None
    if target is not None and has_page(target[0]):
        st.switch_page(target[0], query_params=target[1])


def preset(fields: dict[str, tuple[str, object]]) -> None:
    """Give widgets, once, the values a link named in the address ({param: (widget key, allowed values)}).

    The parameters are then dropped from the address, so the person can change the widgets afterwards.
    """
    for param, (key, allowed) in fields.items():
        value = st.query_params.get(param)
        if value is None:
            continue
        if allowed is None or value in allowed:
            st.session_state[key] = value
        del st.query_params[param]
