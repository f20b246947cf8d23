-- Group messages, each with the JSON group_msg_get_simple answers for it.
--
-- ``rendered`` is the message's RspMsgItem as a member sees it while it is not recalled (a
-- recalled one is answered from it at read time, which is rare), so that a page reads four
-- columns instead of nine.

ALTER TABLE group_messages ADD COLUMN rendered BYTEA;
UPDATE group_messages SET rendered = convert_to(
    '{"From_Account":' || to_json(from_account)::text || ',"IsPlaceMsg":0'
    || CASE WHEN is_system <> 0 THEN ',"IsSystemMsg":1' ELSE '' END
    || ',"MsgBody":' || body || ',"MsgPriority":' || priority || ',"MsgRandom":' || random
    || ',"MsgSeq":' || seq || ',"MsgTimeStamp":' || msg_time
    || CASE WHEN cloud_custom_data = '' THEN ''
            ELSE ',"CloudCustomData":' || to_json(cloud_custom_data)::text END
    || '}',
    'UTF8'
);
ALTER TABLE group_messages ALTER COLUMN rendered SET NOT NULL;
