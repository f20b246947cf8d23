-- Destroyed Community topics: get_topic / destroy_topic answer 110003 for these IDs.
-- The topic row itself is deleted, so only live topics remain in `topics`.
CREATE TABLE destroyed_topics (
    sdkappid     BIGINT NOT NULL,
    group_id     TEXT   NOT NULL,
    topic_id     TEXT   NOT NULL,
    destroyed_at BIGINT NOT NULL,
    PRIMARY KEY (sdkappid, group_id, topic_id)
);
