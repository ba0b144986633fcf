-- The transactional outbox of the SEA platform.
-- A producer inserts a row in the same transaction as its business change; sea-mq-worker relays
-- unpublished rows to NATS JetStream with header Nats-Msg-Id = id and sets published_at only after
-- the JetStream ack. The id is chosen by the producer (a UUID), so a producer that does not know
-- whether its insert committed can retry it with the same id (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS outbox_events (
    id           uuid        PRIMARY KEY,
    aggregate    text        NOT NULL,
    subject      text        NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text
);

-- The relay's work queue: unpublished rows in arrival order.
CREATE INDEX IF NOT EXISTS outbox_events_unpublished
    ON outbox_events (created_at, id) WHERE published_at IS NULL;

-- Wakes the relay as soon as a row commits (LISTEN outbox_events); polling remains the fallback.
CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_events', '');
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events;
CREATE TRIGGER outbox_events_notify
    AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify();
