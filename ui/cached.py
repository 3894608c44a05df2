"""Reads that pages repeat on every switch, cached per version of the data (writes clear them all)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from accounts.models import User
from comparison.snapshot import data_version
from indicators import outliers
from indicators.aggregates import COARSE_LEVELS
from plan import alerts, dashboard_service, service
from plan.freshness import today_paris
from ui.context import db


def _key(user: User | None, levels=None) -> tuple:
    """What the reads depend on besides their arguments: the roll-ups' and territories' version, the day
    (statuses are measured against today), and the person (which drafts they may see depends on scopes).

    levels: the roll-up levels the read needs fresh (every level if None). A write marks its slices dirty
    and even a régions-and-France refresh moves the version, so a coarse key still changes on every write."""
    person = None if user is None else (user.email, repr(user.scopes))
    return data_version(db(), levels), today_paris(), person


@st.cache_data(show_spinner=False, max_entries=32)
def _dashboard(key: tuple, _user: User | None) -> dict:
    return dashboard_service.dashboard(db(), _user)


@st.cache_data(show_spinner=False, max_entries=64)
def _measure_progress(code: str, key: tuple, _user: User | None) -> dict:
    return dashboard_service.measure_progress(db(), code, _user)


@st.cache_data(show_spinner=False, max_entries=64)
def _measure_detail(code: str, key: tuple, _user: User | None) -> dict | None:
    return service.measure_detail(db(), code, _user)


@st.cache_data(show_spinner=False, max_entries=32)
def _peers(key: tuple, _user: User | None) -> pd.DataFrame:
    return alerts.peers(db(), user=_user)


@st.cache_data(show_spinner=False, max_entries=32)
def _stale(on: date, key: tuple, _user: User | None) -> pd.DataFrame:
    return alerts.stale(db(), on, user=_user)


def dashboard(user: User | None) -> dict:
    """The national dashboard's figures (measures in France and per région, cards) as this person sees them."""
    return _dashboard(_key(user, COARSE_LEVELS), user)


def measure_progress(code: str, user: User | None) -> dict:
    """One measure's progress in France and per région, its indicators, budgets and notes."""
    return _measure_progress(code, _key(user, COARSE_LEVELS), user)


def measure_detail(code: str, user: User | None) -> dict | None:
    """One measure's description, indicators, milestones and history."""
    return _measure_detail(code, _key(user, COARSE_LEVELS), user)


def peers(user: User | None) -> pd.DataFrame:
    """Territories below their peers."""
    return _peers(_key(user), user)


def stale(on: date, user: User | None) -> pd.DataFrame:
    """Indicators without a value for their last expected period."""
    return _stale(on, _key(user), user)


@st.cache_data(show_spinner=False, max_entries=32)
def _to_check(period: str | None, include_reviewed: bool, key: tuple, _user: User) -> pd.DataFrame:
    return outliers.to_check(db(), _user, period=period, include_reviewed=include_reviewed)


def to_check(user: User, period: str | None, include_reviewed: bool) -> pd.DataFrame:
    """Values "à vérifier" of a period in the person's scope (seconds at national scale: read once per version)."""
    return _to_check(period, include_reviewed, _key(user), user)
