-- Group messages sent with SendMsgControl "NoUnread": stored and pulled like any other, but
-- left out of members' unread counts.
ALTER TABLE group_messages ADD COLUMN no_unread BIGINT NOT NULL DEFAULT 0;
