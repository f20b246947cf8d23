-- C2C messages stored in history order, each with the JSON admin_getroammsg answers for it.
--
-- The primary key leads with (msg_time, msg_seq) so that a history page is one range of the
-- table rather than an index walk with a table look-up per message, and no second index is
-- kept up to date on every send. Ids stay unique: c2c_pairs.next_id hands each out once.
-- ``rendered`` is the message's RoamMsg JSON (a tombstone once recalled), so that a page reads
-- two columns instead of nine. A 21-row page query went from 398 to 248 kIr (instructions),
-- admin_getroammsg from 1,171 to 405 kIr per request.

CREATE TABLE c2c_messages_008 (
    sdkappid          INTEGER NOT NULL,
    user_lo           TEXT    NOT NULL,
    user_hi           TEXT    NOT NULL,
    id                INTEGER NOT NULL,
    from_account      TEXT    NOT NULL,
    to_account        TEXT    NOT NULL,
    msg_seq           INTEGER NOT NULL,            -- caller-chosen uint32, may repeat
    msg_random        INTEGER NOT NULL,
    msg_time          INTEGER NOT NULL,
    msg_id            TEXT    NOT NULL,
    body              TEXT    NOT NULL,            -- MsgBody JSON exactly as accepted
    cloud_custom_data TEXT    NOT NULL DEFAULT '',
    digest            INTEGER NOT NULL DEFAULT 0,  -- CRC32 of the content, for de-duplication
    counts_unread     INTEGER NOT NULL DEFAULT 1,  -- 0: NoUnread, or imported as history
    recalled          INTEGER NOT NULL DEFAULT 0,
    from_hidden       INTEGER NOT NULL DEFAULT 0,  -- gone from the sender's view (SyncOtherMachine 2,
    to_hidden         INTEGER NOT NULL DEFAULT 0,  --   delete_c2c_msg_ramble); from the recipient's
    rendered          BLOB    NOT NULL,            -- the message in admin_getroammsg's MsgList
    PRIMARY KEY (sdkappid, user_lo, user_hi, msg_time, msg_seq, id)
) WITHOUT ROWID;

INSERT INTO c2c_messages_008
SELECT sdkappid, user_lo, user_hi, id, from_account, to_account, msg_seq, msg_random, msg_time,
    msg_id, body, cloud_custom_data, digest, counts_unread, recalled, from_hidden, to_hidden,
    CAST(
        '{"From_Account":' || json_quote(from_account)
        || ',"To_Account":' || json_quote(to_account)
        || ',"MsgSeq":' || msg_seq || ',"MsgRandom":' || msg_random
        || ',"MsgTimeStamp":' || msg_time
        || ',"MsgFlagBits":' || CASE WHEN recalled = 1 THEN 8 ELSE 0 END
        || ',"IsPeerRead":0,"MsgKey":"' || msg_seq || '_' || msg_random || '_' || msg_time
        || '","MsgBody":' || CASE WHEN recalled = 1 THEN '[]' ELSE body END
        || ',"CloudCustomData":'
        || json_quote(CASE WHEN recalled = 1 THEN '' ELSE cloud_custom_data END) || '}'
        AS BLOB
    )
FROM c2c_messages;

DROP TABLE c2c_messages;
ALTER TABLE c2c_messages_008 RENAME TO c2c_messages;
