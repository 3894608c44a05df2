-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot create a sequence in an attached PostgreSQL database.
-- Reminders (issue 14): an outbox of messages, each built for one recipient's scope, sent by e-mail when
-- SMTP is configured, otherwise kept and shown on "Mon compte". Times are UTC.
CREATE SEQUENCE notification_outbox_id;
CREATE TABLE notification_outbox (
    id BIGINT PRIMARY KEY DEFAULT nextval('notification_outbox_id'),
    recipient VARCHAR NOT NULL,          -- the account's e-mail (canonical form)
    kind VARCHAR NOT NULL,               -- the sources it groups, '+'-joined: valeurs_en_retard…
    subject VARCHAR NOT NULL,            -- French
    body VARCHAR NOT NULL,               -- French, plain text
    dedup_key VARCHAR NOT NULL,          -- kind and a digest of its items' keys
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,                   -- NULL while kept (no SMTP, demo account) or failed
    error VARCHAR,                       -- the last failed send, in French; NULL once sent
    UNIQUE (recipient, dedup_key)
);

-- Each item a message told its recipient about (a late value: kind|indicator|territory|period|due date):
-- an item already in a message is never put in another one, so running the reminders twice builds nothing.
CREATE TABLE notification_item (
    recipient VARCHAR NOT NULL,
    item_key VARCHAR NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (recipient, item_key)
);
