"""SQL of the reminders' outbox (notification_outbox) and of the items each message told about."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from store.db import next_id

MESSAGE_COLUMNS = ["id", "recipient", "kind", "subject", "body", "created_at", "sent_at", "error"]


def known_items(cur) -> set[tuple[str, str]]:
    """(recipient, item key) of every item already put in a message, sent or not."""
    return set(cur.execute("SELECT recipient, item_key FROM notification_item").fetchall())


def add(cur, *, recipient: str, kind: str, subject: str, body: str, dedup_key: str, items, now: datetime) -> int:
    """Insert one message and the keys of the items it groups; returns its id."""
    message_id = next_id(cur, "notification_outbox_id")
    cur.execute(
        "INSERT INTO notification_outbox (id, recipient, kind, subject, body, dedup_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [message_id, recipient, kind, subject, body, dedup_key, now],
    )
    cur.executemany(
        "INSERT INTO notification_item (recipient, item_key, message_id) VALUES (?, ?, ?)",
        [[recipient, key, message_id] for key in items],
    )
    return message_id


def unsent(cur) -> pd.DataFrame:
    """Every message not sent yet (kept or failed), oldest first."""
    return cur.execute(
        f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM notification_outbox WHERE sent_at IS NULL ORDER BY id"
    ).df()


def mark_sent(cur, message_id: int, now: datetime) -> None:
    """Record that a message went out (it is never sent again)."""
    cur.execute("UPDATE notification_outbox SET sent_at = ?, error = NULL WHERE id = ?", [now, message_id])


def mark_failed(cur, message_id: int, error: str) -> None:
    """Record why a send failed; the message stays unsent and is tried again at the next run."""
    cur.execute("UPDATE notification_outbox SET error = ? WHERE id = ? AND sent_at IS NULL", [error, message_id])


def of_recipient(cur, email: str) -> pd.DataFrame:
    """One recipient's messages, newest first."""
    return cur.execute(
        f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM notification_outbox WHERE recipient = ? ORDER BY created_at DESC, id DESC",
        [email],
    ).df()
