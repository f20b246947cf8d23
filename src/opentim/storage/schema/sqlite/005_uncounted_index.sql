-- Unread counts leave out NoUnread (and targeted) messages: counting those after a member's
-- read mark walks only them, through this partial index.
CREATE INDEX group_messages_uncounted
    ON group_messages (sdkappid, group_id, topic_id, seq) WHERE no_unread = 1;
