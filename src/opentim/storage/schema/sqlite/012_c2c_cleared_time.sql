-- A C2C history read after a ClearRamble stops at the cleared messages' time instead of
-- walking every cleared message in the asked time range (the walk is in history order, and
-- the watermark is a message id).
--
-- c2c_pairs.max_time: the newest MsgTime among the pair's messages so far; back_id: the last
-- id given to a message older than that (0: none). conversations.cleared_time: the pair's
-- max_time when the ClearRamble was made, read from the same pair row as the watermark id.
-- Every message above the watermark is then at or after cleared_time unless one of them went
-- back in time, which back_id > cleared_upto tells: the read uses the bound only when not.
-- The id and the time come from one version of the pair row, so a send the ClearRamble did
-- not see (PostgreSQL, concurrent) is above the watermark and either at or after that time or
-- marked by back_id: the bound never hides a message the watermark shows.
-- conversations.read_upto_time does the same for the read mark that recentcontact/delete
-- sets (read_upto): the unread count starts its walk there.

ALTER TABLE c2c_pairs ADD COLUMN max_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE c2c_pairs ADD COLUMN back_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN cleared_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN read_upto_time INTEGER NOT NULL DEFAULT 0;

UPDATE c2c_pairs SET max_time = COALESCE(
    (SELECT m.msg_time FROM c2c_messages m
     WHERE m.sdkappid = c2c_pairs.sdkappid AND m.user_lo = c2c_pairs.user_lo
       AND m.user_hi = c2c_pairs.user_hi
     ORDER BY m.msg_time DESC LIMIT 1),
    0);
