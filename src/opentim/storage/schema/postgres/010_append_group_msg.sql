-- A group message sent in one round trip (PostgreSQL only; SQLite runs the same steps in
-- process, where a statement costs no round trip).
--
-- The steps of GroupMessageStore.append (storage/group_messages.py), in one statement that
-- commits by itself: lock the group's row, look for a duplicate (same random and digest within
-- the window; each statement of a function sees what committed before it, so a duplicate sent
-- concurrently is found once the lock is held), allocate the seq, store the message with its
-- rendering (``head``, the seq, ``tail``), and move the sender's own state when it is a member.
-- A sent message took six round trips before (BEGIN, three statements, COMMIT, besides the
-- read of the group), a third of the send's CPU on either side.
--
-- Returns no row when the group does not exist; else the message's seq and time, and whether
-- it is the original of a duplicate (then nothing was written).

CREATE FUNCTION opentim_append_group_msg(
    p_sdkappid BIGINT, p_group_id TEXT, p_from TEXT, p_random BIGINT, p_time BIGINT,
    p_priority BIGINT, p_body TEXT, p_custom TEXT, p_digest BIGINT, p_to TEXT,
    p_no_unread BIGINT, p_head BYTEA, p_tail BYTEA, p_window BIGINT, p_store BOOLEAN,
    p_update_conv BOOLEAN, p_sender_is_member BOOLEAN)
RETURNS TABLE (seq BIGINT, msg_time BIGINT, duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
    allocated BIGINT;
    original RECORD;
BEGIN
    SELECT g.next_msg_seq INTO allocated FROM groups g
    WHERE g.sdkappid = p_sdkappid AND g.group_id = p_group_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_store THEN
        SELECT m.seq, m.msg_time INTO original FROM group_messages m
        WHERE m.sdkappid = p_sdkappid AND m.group_id = p_group_id AND m.topic_id = ''
          AND m.random = p_random AND m.digest = p_digest
          AND m.msg_time >= p_time - p_window AND m.msg_time <= p_time + p_window
        LIMIT 1;
        IF FOUND THEN
            RETURN QUERY SELECT original.seq, original.msg_time, TRUE;
            RETURN;
        END IF;
    END IF;
    UPDATE groups g SET next_msg_seq = allocated + 1, last_msg_time = p_time, active = 1,
           conv_msg_seq = CASE WHEN p_update_conv THEN allocated ELSE g.conv_msg_seq END,
           conv_msg_time = CASE WHEN p_update_conv THEN p_time ELSE g.conv_msg_time END
    WHERE g.sdkappid = p_sdkappid AND g.group_id = p_group_id;
    IF p_store THEN
        INSERT INTO group_messages (sdkappid, group_id, topic_id, seq, from_account, random,
                                    msg_time, priority, body, cloud_custom_data, digest,
                                    to_accounts, no_unread, rendered)
        VALUES (p_sdkappid, p_group_id, '', allocated, p_from, p_random, p_time, p_priority,
                p_body, p_custom, p_digest, p_to, p_no_unread,
                p_head || convert_to(allocated::text, 'UTF8') || p_tail);
    END IF;
    IF p_sender_is_member THEN
        UPDATE group_members gm SET last_send_msg_time = p_time,
               msg_seq = GREATEST(gm.msg_seq, allocated)
        WHERE gm.sdkappid = p_sdkappid AND gm.group_id = p_group_id
          AND gm.member_account = p_from;
    END IF;
    RETURN QUERY SELECT allocated, p_time, FALSE;
END
$$;
