"""Community topics: create_topic, get_topic, destroy_topic over the wire, on both engines."""

from __future__ import annotations

from typing import Any

from conftest import Client

T = "million_group_open_http_svc/"
G = "group_open_http_svc/"
C = "@TGS#_club"


async def code(api: Client, command: str, body: Any) -> int:
    data = await api(T + command, body)
    return int(data["ErrorCode"])


async def community(api: Client, group_id: str = C, topics: int = 1, **kw: Any) -> None:
    body = {"Type": "Community", "Name": "club", "GroupId": group_id, "SupportTopic": topics}
    await api.ok(G + "create_group", {**body, **kw})


async def send(api: Client, topic_id: str, text: str) -> int:
    body = {
        "GroupId": C,
        "TopicId": topic_id,
        "Random": 1,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}],
    }
    return int((await api.ok(G + "send_group_msg", body))["MsgSeq"])


async def test_create_topic_with_custom_and_generated_ids(api: Client) -> None:
    await community(api)
    custom = f"{C}@TOPIC#_general"
    data = await api.ok(
        T + "create_topic", {"GroupId": C, "TopicId": custom, "TopicName": "General"}
    )
    assert data["TopicId"] == custom
    data = await api.ok(T + "create_topic", {"GroupId": C, "TopicName": "Random"})
    assert data["TopicId"].startswith(f"{C}@TOPIC#_@TOPIC#")
    assert len(data["TopicId"].encode()) <= 96


async def test_get_topic_returns_topic_info_with_group_id_spelling(api: Client) -> None:
    await api.accounts("alice")
    await community(api, Owner_Account="alice")
    topic = f"{C}@TOPIC#_general"
    await api.ok(
        T + "create_topic",
        {
            "GroupId": C,
            "TopicId": topic,
            "TopicName": "General",
            "From_Account": "alice",
            "CustomString": "cs",
            "Introduction": "intro",
        },
    )
    data = await api.ok(
        T + "get_topic", {"GroupId": C, "From_Account": "alice", "TopicIdList": [topic]}
    )
    (item,) = data["TopicAndSelfInfo"]
    assert item["ErrorCode"] == 0
    assert item["SelfInfo"] == {"ShutUpTime": 0, "MsgSeq": 0, "MsgFlag": "AcceptAndNotify"}
    info = item["TopicInfo"]
    assert info["TopicId"] == topic and info["GroupID"] == C and "GroupId" not in info
    assert info["TopicName"] == "General" and info["CustomString"] == "cs"
    assert info["Introduction"] == "intro" and info["Notification"] == "" and info["FaceUrl"] == ""
    assert info["NextMsgSeq"] == 1 and info["MuteAllMember"] == "Off" and info["CreateTime"] > 0
    filtered = await api.ok(
        T + "get_topic", {"GroupId": C, "TopicIdList": [topic], "ResponseFilter": ["TopicName"]}
    )
    assert filtered["TopicAndSelfInfo"][0]["TopicInfo"] == {
        "TopicId": topic,
        "GroupID": C,
        "TopicName": "General",
    }


async def test_get_topic_without_list_returns_every_live_topic(api: Client) -> None:
    await community(api)
    for name in ("a", "b", "c"):
        await api.ok(
            T + "create_topic", {"GroupId": C, "TopicId": f"{C}@TOPIC#_{name}", "TopicName": name}
        )
    await api.ok(T + "destroy_topic", {"GroupId": C, "TopicIdList": [f"{C}@TOPIC#_b"]})
    for body in ({"GroupId": C}, {"GroupId": C, "TopicIdList": []}):
        data = await api.ok(T + "get_topic", body)
        names = [i["TopicInfo"]["TopicName"] for i in data["TopicAndSelfInfo"]]
        assert names == ["a", "c"]


async def test_topics_have_their_own_seq_starting_at_1(api: Client) -> None:
    await community(api)
    one, two = f"{C}@TOPIC#_one", f"{C}@TOPIC#_two"
    for topic in (one, two):
        await api.ok(T + "create_topic", {"GroupId": C, "TopicId": topic, "TopicName": "t"})
    assert await send(api, one, "x") == 1
    assert await send(api, one, "y") == 2
    assert await send(api, two, "z") == 1
    data = await api.ok(T + "get_topic", {"GroupId": C, "TopicIdList": [one, two]})
    assert [i["TopicInfo"]["NextMsgSeq"] for i in data["TopicAndSelfInfo"]] == [3, 2]


async def test_get_topic_per_item_codes(api: Client) -> None:
    await community(api)
    live, gone = f"{C}@TOPIC#_live", f"{C}@TOPIC#_gone"
    for topic in (live, gone):
        await api.ok(T + "create_topic", {"GroupId": C, "TopicId": topic, "TopicName": "t"})
    await api.ok(T + "destroy_topic", {"GroupId": C, "TopicIdList": [gone]})
    ids = [live, gone, f"{C}@TOPIC#_never", "@TGS#_other@TOPIC#_x"]
    data = await api.ok(T + "get_topic", {"GroupId": C, "TopicIdList": ids})
    assert [i["ErrorCode"] for i in data["TopicAndSelfInfo"]] == [0, 110003, 10010, 10004]
    assert "TopicInfo" not in data["TopicAndSelfInfo"][1]


async def test_destroy_topic_per_item_codes_and_messages_go(api: Client) -> None:
    await community(api)
    topic = f"{C}@TOPIC#_t"
    await api.ok(T + "create_topic", {"GroupId": C, "TopicId": topic, "TopicName": "t"})
    await send(api, topic, "hello")
    ids = [topic, f"{C}@TOPIC#_never", "elsewhere@TOPIC#_x"]
    data = await api.ok(T + "destroy_topic", {"GroupId": C, "TopicIdList": ids})
    assert data["DestroyResultItem"] == [
        {"ErrorCode": 0, "ErrorInfo": "ok", "TopicId": topic},
        {**data["DestroyResultItem"][1], "ErrorCode": 10010},
        {**data["DestroyResultItem"][2], "ErrorCode": 10004},
    ]
    again = await api.ok(T + "destroy_topic", {"GroupId": C, "TopicIdList": [topic, topic]})
    assert [i["ErrorCode"] for i in again["DestroyResultItem"]] == [110003, 110003]
    # the ID can be used again; the new topic starts empty, at seq 1
    await api.ok(T + "create_topic", {"GroupId": C, "TopicId": topic, "TopicName": "again"})
    history = await api.ok(
        G + "group_msg_get_simple", {"GroupId": C, "TopicId": topic, "ReqMsgNumber": 20}
    )
    assert history["RspMsgList"] == []
    assert await send(api, topic, "fresh") == 1


async def test_destroying_the_group_takes_its_topics(api: Client) -> None:
    await community(api)
    topic = f"{C}@TOPIC#_t"
    await api.ok(T + "create_topic", {"GroupId": C, "TopicId": topic, "TopicName": "t"})
    await api.ok(G + "destroy_group", {"GroupId": C})
    await community(api)
    data = await api.ok(T + "get_topic", {"GroupId": C})
    assert data["TopicAndSelfInfo"] == []


async def test_topics_need_a_topic_enabled_community(api: Client) -> None:
    await community(api, "@TGS#_plain", topics=0)
    await api.ok(G + "create_group", {"Type": "Public", "Name": "p", "GroupId": "pub"})
    for group_id, expected in (("@TGS#_plain", 11000), ("pub", 10007)):
        create = {"GroupId": group_id, "TopicName": "t"}
        assert await code(api, "create_topic", create) == expected
        assert await code(api, "get_topic", {"GroupId": group_id}) == expected
        destroy = {"GroupId": group_id, "TopicIdList": [f"{group_id}@TOPIC#_t"]}
        assert await code(api, "destroy_topic", destroy) == expected


async def test_create_topic_errors(api: Client) -> None:
    await community(api)
    taken = f"{C}@TOPIC#_taken"
    await api.ok(T + "create_topic", {"GroupId": C, "TopicId": taken, "TopicName": "t"})
    cases: list[tuple[dict[str, Any], int]] = [
        ({"GroupId": C, "TopicId": taken, "TopicName": "t"}, 10025),
        ({"GroupId": C, "TopicName": ""}, 10004),
        ({"GroupId": C}, 10004),
        ({"GroupId": C, "TopicName": "x" * 31}, 10004),
        ({"GroupId": C, "TopicName": "t", "CustomString": "x" * 3001}, 10004),
        ({"GroupId": C, "TopicName": "t", "FaceUrl": "x" * 101}, 10004),
        ({"GroupId": C, "TopicName": "t", "Notification": "x" * 301}, 10004),
        ({"GroupId": C, "TopicName": "t", "Introduction": "x" * 241}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": "@TGS#_other@TOPIC#_x"}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": f"{C}@TOPIC#_"}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": f"{C}@TOPIC#_@TOPIC#fake"}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": f"{C}@TOPIC#_a@TGS#_b"}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": f"{C}@TOPIC#_é"}, 10004),
        ({"GroupId": C, "TopicName": "t", "TopicId": f"{C}@TOPIC#_" + "x" * 80}, 10004),
        ({"GroupId": "@TGS#_nope", "TopicName": "t"}, 10010),
        ({"GroupId": "", "TopicName": "t"}, 10015),
    ]
    for body, expected in cases:
        assert await code(api, "create_topic", body) == expected, body
    longest = f"{C}@TOPIC#_" + "x" * (96 - len(f"{C}@TOPIC#_"))
    await api.ok(T + "create_topic", {"GroupId": C, "TopicId": longest, "TopicName": "t"})


async def test_get_and_destroy_topic_errors(api: Client) -> None:
    await community(api)
    assert await code(api, "get_topic", {"GroupId": "@TGS#_nope"}) == 10010
    assert await code(api, "get_topic", {"GroupId": ""}) == 10015
    assert await code(api, "destroy_topic", {"GroupId": C, "TopicIdList": []}) == 10004
    assert await code(api, "destroy_topic", {"GroupId": C}) == 10004
    missing = {"GroupId": "@TGS#_nope", "TopicIdList": ["@TGS#_nope@TOPIC#_x"]}
    assert await code(api, "destroy_topic", missing) == 10010
    assert await code(api, "destroy_topic", {"GroupId": "", "TopicIdList": ["x"]}) == 10015
