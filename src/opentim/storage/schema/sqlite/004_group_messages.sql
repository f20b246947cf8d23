-- Group messages sent with SendMsgControl "NoUnread": stored and pulled like any other, but
-- left out of members' unread counts.
ALTER TABLE group_messages ADD COLUMN no_unread INTEGER NOT NULL DEFAULT 0;

-- De-duplication looks a message up by (Random, content digest, time window): an index that
-- covers the whole test, so that the planner never prefers a scan of the group's history.
DROP INDEX group_messages_by_random;
CREATE INDEX group_messages_dedup
    ON group_messages (sdkappid, group_id, topic_id, random, digest, msg_time);
