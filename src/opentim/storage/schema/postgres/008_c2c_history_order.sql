-- C2C messages keyed in history order, each with the JSON admin_getroammsg answers for it.
--
-- The primary key leads with (msg_time, msg_seq): history pages, MsgKey look-ups and unread
-- counts all walk it, and no second index is kept up to date on every send. Ids stay unique:
-- c2c_pairs.next_id hands each out once. ``rendered`` is the message's RoamMsg JSON (a
-- tombstone once recalled), so that a page reads two columns instead of nine.

ALTER TABLE c2c_messages ADD COLUMN rendered BYTEA;
UPDATE c2c_messages SET rendered = convert_to(
    '{"From_Account":' || to_json(from_account)::text
    || ',"To_Account":' || to_json(to_account)::text
    || ',"MsgSeq":' || msg_seq || ',"MsgRandom":' || msg_random
    || ',"MsgTimeStamp":' || msg_time
    || ',"MsgFlagBits":' || CASE WHEN recalled = 1 THEN 8 ELSE 0 END
    || ',"IsPeerRead":0,"MsgKey":"' || msg_seq || '_' || msg_random || '_' || msg_time
    || '","MsgBody":' || CASE WHEN recalled = 1 THEN '[]' ELSE body END
    || ',"CloudCustomData":'
    || to_json(CASE WHEN recalled = 1 THEN '' ELSE cloud_custom_data END)::text || '}',
    'UTF8'
);
ALTER TABLE c2c_messages ALTER COLUMN rendered SET NOT NULL;

ALTER TABLE c2c_messages DROP CONSTRAINT c2c_messages_pkey;
ALTER TABLE c2c_messages ADD PRIMARY KEY (sdkappid, user_lo, user_hi, msg_time, msg_seq, id);
DROP INDEX c2c_messages_by_time;
