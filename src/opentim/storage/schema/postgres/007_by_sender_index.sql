-- delete_group_msg_by_sender recalls one sender's not-yet-recalled messages among the last
-- 1,000 seqs: through this index it visits only those rows (a scan of the 1,000 seqs cost
-- ~110 us at any history length; the index costs a send ~3% more).
CREATE INDEX group_messages_by_sender
    ON group_messages (sdkappid, group_id, topic_id, from_account, recalled, seq);
