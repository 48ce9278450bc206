CREATE TABLE IF NOT EXISTS outbox_messages (
    id           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    topic        TEXT        NOT NULL,
    key          TEXT        NOT NULL DEFAULT '',
    payload      BYTEA,
    headers      JSONB       DEFAULT '{}',
    status       TEXT        NOT NULL DEFAULT 'pending',
    retries      INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_outbox_messages_pending ON outbox_messages (created_at) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS processed_messages (
    group_name   TEXT        NOT NULL,
    msg_id       TEXT        NOT NULL,
    metadata     JSONB,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (group_name, msg_id)
);
CREATE INDEX IF NOT EXISTS idx_processed_messages_processed_at ON processed_messages (processed_at);
