"""Reminders: an outbox of messages built per recipient scope, sent by SMTP or kept for "Mon compte"."""
