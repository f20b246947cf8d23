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
-- opentim_append_c2c_msg (migration 011) is replaced by one that also keeps the two pair
-- columns, as storage/c2c.py does.

ALTER TABLE c2c_pairs ADD COLUMN max_time BIGINT NOT NULL DEFAULT 0;
ALTER TABLE c2c_pairs ADD COLUMN back_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN cleared_time BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN read_upto_time BIGINT NOT NULL DEFAULT 0;

UPDATE c2c_pairs p SET max_time = COALESCE(
    (SELECT m.msg_time FROM c2c_messages m
     WHERE m.sdkappid = p.sdkappid AND m.user_lo = p.user_lo AND m.user_hi = p.user_hi
     ORDER BY m.msg_time DESC LIMIT 1),
    0);

CREATE OR REPLACE FUNCTION opentim_append_c2c_msg(
    p_sdkappid BIGINT, p_lo TEXT, p_hi TEXT, p_from TEXT, p_to TEXT, p_msg_seq BIGINT,
    p_msg_random BIGINT, p_msg_time BIGINT, p_msg_id TEXT, p_body TEXT, p_custom TEXT,
    p_digest BIGINT, p_counts_unread BIGINT, p_from_hidden BIGINT, p_rendered BYTEA,
    p_dedup BOOLEAN, p_since BIGINT, p_recipient_entry BOOLEAN, p_counts BOOLEAN,
    p_sender_entry BOOLEAN)
RETURNS TABLE (o_msg_seq BIGINT, o_msg_random BIGINT, o_msg_time BIGINT, o_msg_id TEXT,
               o_duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
    original RECORD;
BEGIN
    INSERT INTO c2c_pairs AS p (sdkappid, user_lo, user_hi, next_id, max_time)
    VALUES (p_sdkappid, p_lo, p_hi, 2, p_msg_time)
    ON CONFLICT (sdkappid, user_lo, user_hi) DO UPDATE SET next_id = p.next_id + 1,
        back_id = CASE WHEN excluded.max_time < p.max_time THEN p.next_id ELSE p.back_id END,
        max_time = CASE WHEN excluded.max_time > p.max_time THEN excluded.max_time
                        ELSE p.max_time END
    RETURNING p.next_id - 1 INTO new_id;
    IF p_dedup THEN
        SELECT m.msg_seq, m.msg_random, m.msg_time, m.msg_id INTO original FROM c2c_messages m
        WHERE m.sdkappid = p_sdkappid AND m.user_lo = p_lo AND m.user_hi = p_hi
          AND m.msg_time >= p_since AND m.msg_seq = p_msg_seq AND m.msg_random = p_msg_random
          AND m.from_account = p_from AND m.digest = p_digest
        LIMIT 1;
        IF FOUND THEN
            RETURN QUERY SELECT original.msg_seq, original.msg_random, original.msg_time,
                                original.msg_id, TRUE;
            RETURN;
        END IF;
    END IF;
    INSERT INTO c2c_messages (sdkappid, user_lo, user_hi, id, from_account, to_account, msg_seq,
                              msg_random, msg_time, msg_id, body, cloud_custom_data, digest,
                              counts_unread, from_hidden, rendered)
    VALUES (p_sdkappid, p_lo, p_hi, new_id, p_from, p_to, p_msg_seq, p_msg_random, p_msg_time,
            p_msg_id, p_body, p_custom, p_digest, p_counts_unread, p_from_hidden, p_rendered);
    INSERT INTO conversations AS c (sdkappid, owner, type, peer, msg_time, listed, unread)
    SELECT p_sdkappid, v.owner, 1, v.peer, v.shown_time, v.listed, v.counts
    FROM (VALUES
        (p_to, p_from, CASE WHEN p_recipient_entry THEN p_msg_time ELSE 0 END,
         p_recipient_entry::INT::BIGINT, p_counts::INT::BIGINT, p_recipient_entry OR p_counts),
        (p_from, p_to, p_msg_time, 1::BIGINT, 0::BIGINT, p_sender_entry AND p_from <> p_to)
    ) AS v (owner, peer, shown_time, listed, counts, wanted)
    WHERE v.wanted
    ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET
        listed = CASE WHEN excluded.listed = 1 THEN 1 ELSE c.listed END,
        msg_time = CASE WHEN excluded.msg_time > c.msg_time THEN excluded.msg_time
                        ELSE c.msg_time END,
        unread = CASE WHEN excluded.unread = 1 AND p_msg_time > c.read_time AND c.unread < 250
                      THEN c.unread + 1 ELSE c.unread END;
    RETURN QUERY SELECT p_msg_seq, p_msg_random, p_msg_time, p_msg_id, FALSE;
END
$$;
