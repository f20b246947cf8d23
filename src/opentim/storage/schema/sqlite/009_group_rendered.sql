-- Group messages, each with the JSON group_msg_get_simple answers for it.
--
-- ``rendered`` is the message's RspMsgItem as a member sees it while it is not recalled (a
-- recalled one is answered from it at read time, which is rare), so that a page reads four
-- columns instead of nine. The default only lets SQLite add a NOT NULL column: every writer
-- sets it.

ALTER TABLE group_messages ADD COLUMN rendered BLOB NOT NULL DEFAULT x'';

UPDATE group_messages SET rendered = CAST(
    '{"From_Account":' || json_quote(from_account) || ',"IsPlaceMsg":0'
    || CASE WHEN is_system <> 0 THEN ',"IsSystemMsg":1' ELSE '' END
    || ',"MsgBody":' || body || ',"MsgPriority":' || priority || ',"MsgRandom":' || random
    || ',"MsgSeq":' || seq || ',"MsgTimeStamp":' || msg_time
    || CASE WHEN cloud_custom_data = '' THEN ''
            ELSE ',"CloudCustomData":' || json_quote(cloud_custom_data) END
    || '}'
    AS BLOB
);
