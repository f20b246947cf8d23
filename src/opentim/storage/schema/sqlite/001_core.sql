-- Accounts, groups, members, topics and group messages.
-- Every table leads with sdkappid; message tables with (sdkappid, group_id) so that the
-- schema can be distributed by that key.

CREATE TABLE accounts (
    sdkappid   INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    nick       TEXT    NOT NULL DEFAULT '',
    face_url   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    kicked_at  INTEGER NOT NULL DEFAULT 0,   -- UserSigs with TLS.time <= kicked_at are refused
    PRIMARY KEY (sdkappid, user_id)
) WITHOUT ROWID;

CREATE TABLE groups (
    gkey               INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order: get_appid_group_list's cursor
    sdkappid           INTEGER NOT NULL,
    group_id           TEXT    NOT NULL,
    type               TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    introduction       TEXT    NOT NULL DEFAULT '',
    notification       TEXT    NOT NULL DEFAULT '',
    face_url           TEXT    NOT NULL DEFAULT '',
    owner_account      TEXT    NOT NULL DEFAULT '',
    create_time        INTEGER NOT NULL,
    info_seq           INTEGER NOT NULL DEFAULT 0,
    last_info_time     INTEGER NOT NULL DEFAULT 0,
    last_msg_time      INTEGER NOT NULL DEFAULT 0,
    next_msg_seq       INTEGER NOT NULL DEFAULT 1,
    max_member_num     INTEGER NOT NULL,
    apply_join_option  TEXT    NOT NULL DEFAULT 'NeedPermission',
    invite_join_option TEXT    NOT NULL DEFAULT '',
    mute_all_member    TEXT    NOT NULL DEFAULT 'Off',
    support_topic      INTEGER NOT NULL DEFAULT 0,
    app_defined_data   TEXT    NOT NULL DEFAULT '[]',
    active             INTEGER NOT NULL DEFAULT 1,   -- Work groups start inactive until a message
    cleared_upto_seq   INTEGER NOT NULL DEFAULT 0,   -- clear_group_msg watermark (inclusive)
    conv_msg_seq       INTEGER NOT NULL DEFAULT 0,   -- latest message that updates conversations
    conv_msg_time      INTEGER NOT NULL DEFAULT 0,   --   (not NoLastMsg); members' Type 2 entries
    UNIQUE (sdkappid, group_id)
);
CREATE INDEX groups_by_gkey ON groups (sdkappid, gkey);

CREATE TABLE group_members (
    sdkappid                INTEGER NOT NULL,
    group_id                TEXT    NOT NULL,
    member_account          TEXT    NOT NULL,
    role                    TEXT    NOT NULL DEFAULT 'Member',
    join_time               INTEGER NOT NULL,
    join_seq                INTEGER NOT NULL DEFAULT 1,  -- first seq the member may see
    msg_seq                 INTEGER NOT NULL DEFAULT 0,  -- last seq read
    msg_flag                TEXT    NOT NULL DEFAULT 'AcceptAndNotify',
    last_send_msg_time      INTEGER NOT NULL DEFAULT 0,
    name_card               TEXT    NOT NULL DEFAULT '',
    mute_until              INTEGER NOT NULL DEFAULT 0,
    app_member_defined_data TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (sdkappid, group_id, member_account)
) WITHOUT ROWID;
CREATE INDEX group_members_by_account ON group_members (sdkappid, member_account);

CREATE TABLE topics (
    sdkappid        INTEGER NOT NULL,
    group_id        TEXT    NOT NULL,
    topic_id        TEXT    NOT NULL,
    topic_name      TEXT    NOT NULL,
    from_account    TEXT    NOT NULL DEFAULT '',
    custom_string   TEXT    NOT NULL DEFAULT '',
    face_url        TEXT    NOT NULL DEFAULT '',
    notification    TEXT    NOT NULL DEFAULT '',
    introduction    TEXT    NOT NULL DEFAULT '',
    create_time     INTEGER NOT NULL,
    last_msg_time   INTEGER NOT NULL DEFAULT 0,
    next_msg_seq    INTEGER NOT NULL DEFAULT 1,
    mute_all_member TEXT    NOT NULL DEFAULT 'Off',
    PRIMARY KEY (sdkappid, group_id, topic_id)
) WITHOUT ROWID;

-- topic_id is '' for messages of the group itself; a topic has its own seq space.
CREATE TABLE group_messages (
    sdkappid          INTEGER NOT NULL,
    group_id          TEXT    NOT NULL,
    topic_id          TEXT    NOT NULL DEFAULT '',
    seq               INTEGER NOT NULL,
    from_account      TEXT    NOT NULL,
    random            INTEGER NOT NULL,
    msg_time          INTEGER NOT NULL,
    priority          INTEGER NOT NULL DEFAULT 2,
    body              TEXT    NOT NULL,              -- MsgBody JSON exactly as accepted
    cloud_custom_data TEXT    NOT NULL DEFAULT '',
    digest            INTEGER NOT NULL DEFAULT 0,    -- content hash, for de-duplication
    recalled          INTEGER NOT NULL DEFAULT 0,
    is_system         INTEGER NOT NULL DEFAULT 0,
    to_accounts       TEXT,                          -- targeted message: JSON array of recipients
    PRIMARY KEY (sdkappid, group_id, topic_id, seq)
) WITHOUT ROWID;
CREATE INDEX group_messages_by_random ON group_messages (sdkappid, group_id, topic_id, random);

-- A user's view of one conversation (Type 1: peer is a UserID; Type 2: peer is a GroupId).
-- C2C entries are written by sends; group entries are derived from membership and
-- groups.conv_msg_seq, this row only holding the user's own marks for that group.
CREATE TABLE conversations (
    sdkappid     INTEGER NOT NULL,
    owner        TEXT    NOT NULL,
    type         INTEGER NOT NULL,
    peer         TEXT    NOT NULL,
    msg_time     INTEGER NOT NULL DEFAULT 0,   -- C2C: time of the latest message
    top_flag     INTEGER NOT NULL DEFAULT 0,
    listed       INTEGER NOT NULL DEFAULT 1,   -- 0 after recentcontact/delete until a new message
    deleted_upto INTEGER NOT NULL DEFAULT 0,   -- group: conv_msg_seq when deleted from the list
    cleared_upto INTEGER NOT NULL DEFAULT 0,   -- ClearRamble watermark: group seq / C2C message id
    PRIMARY KEY (sdkappid, owner, type, peer)
) WITHOUT ROWID;
