-- One-to-one (C2C) messages, per-user conversation state, conversation marks and groups.
-- Message tables lead with (sdkappid, user_lo, user_hi): the conversation key, the two UserIDs
-- in code-point order.

-- One row per C2C conversation; next_id allocates its message ids under this row's lock, so
-- ids are strictly increasing and gap-free per conversation and a per-user watermark
-- (conversations.cleared_upto) hides every earlier message in O(1).
CREATE TABLE c2c_pairs (
    sdkappid BIGINT  NOT NULL,
    user_lo  TEXT    NOT NULL,
    user_hi  TEXT    NOT NULL,
    next_id  BIGINT  NOT NULL,
    PRIMARY KEY (sdkappid, user_lo, user_hi)
);

CREATE TABLE c2c_messages (
    sdkappid          BIGINT  NOT NULL,
    user_lo           TEXT    NOT NULL,
    user_hi           TEXT    NOT NULL,
    id                BIGINT  NOT NULL,
    from_account      TEXT    NOT NULL,
    to_account        TEXT    NOT NULL,
    msg_seq           BIGINT  NOT NULL,            -- caller-chosen uint32, may repeat
    msg_random        BIGINT  NOT NULL,
    msg_time          BIGINT  NOT NULL,
    msg_id            TEXT    NOT NULL,
    body              TEXT    NOT NULL,            -- MsgBody JSON exactly as accepted
    cloud_custom_data TEXT    NOT NULL DEFAULT '',
    digest            BIGINT  NOT NULL DEFAULT 0,  -- CRC32 of the content, for de-duplication
    counts_unread     BIGINT  NOT NULL DEFAULT 1,  -- 0: NoUnread, or imported as history
    recalled          BIGINT  NOT NULL DEFAULT 0,
    from_hidden       BIGINT  NOT NULL DEFAULT 0,  -- gone from the sender's view (SyncOtherMachine 2,
    to_hidden         BIGINT  NOT NULL DEFAULT 0,  --   delete_c2c_msg_ramble); from the recipient's
    PRIMARY KEY (sdkappid, user_lo, user_hi, id)
);
-- History order (time, then MsgSeq) and MsgKey look-ups (time, seq, random).
CREATE INDEX c2c_messages_by_time ON c2c_messages (sdkappid, user_lo, user_hi, msg_time, msg_seq, id);

-- C2C unread state of a conversation entry (Type 1 rows).
ALTER TABLE conversations ADD COLUMN unread BIGINT NOT NULL DEFAULT 0;     -- capped at 250
ALTER TABLE conversations ADD COLUMN read_time BIGINT NOT NULL DEFAULT 0;  -- read up to (s)
ALTER TABLE conversations ADD COLUMN read_upto BIGINT NOT NULL DEFAULT 0;  -- and up to this id
-- Rows of one group, removed when it is disbanded (its ID may be reused).
CREATE INDEX conversations_by_peer ON conversations (sdkappid, type, peer);

-- Conversation groups and marks: per user, independent of the conversation list.
CREATE TABLE contact_owners (
    sdkappid      BIGINT  NOT NULL,
    owner         TEXT    NOT NULL,
    next_group_id BIGINT  NOT NULL,   -- conversation-group IDs are never reused
    PRIMARY KEY (sdkappid, owner)
);

CREATE TABLE contact_groups (
    sdkappid BIGINT  NOT NULL,
    owner    TEXT    NOT NULL,
    group_id BIGINT  NOT NULL,
    name     TEXT    NOT NULL,
    PRIMARY KEY (sdkappid, owner, group_id),
    UNIQUE (sdkappid, owner, name)
);

-- A conversation that carries marks or group memberships (at most 1,000 per user).
CREATE TABLE contacts (
    sdkappid      BIGINT  NOT NULL,
    owner         TEXT    NOT NULL,
    type          BIGINT  NOT NULL,
    peer          TEXT    NOT NULL,
    standard_mark BIGINT  NOT NULL DEFAULT 0,   -- 64 bits, stored as a signed 64-bit integer
    custom_mark   TEXT    NOT NULL DEFAULT '',
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (sdkappid, owner, type, peer)
);
CREATE INDEX contacts_by_peer ON contacts (sdkappid, type, peer);

CREATE TABLE contact_group_members (
    sdkappid BIGINT  NOT NULL,
    owner    TEXT    NOT NULL,
    group_id BIGINT  NOT NULL,
    type     BIGINT  NOT NULL,
    peer     TEXT    NOT NULL,
    PRIMARY KEY (sdkappid, owner, group_id, type, peer)
);
CREATE INDEX contact_group_members_by_contact
    ON contact_group_members (sdkappid, owner, type, peer);
CREATE INDEX contact_group_members_by_peer ON contact_group_members (sdkappid, type, peer);
