"""group_msg_get_simple (admin view) and group_msg_recall over the wire, on both engines."""

from __future__ import annotations

from conftest import Client
from group_msg_helpers import (
    PULL,
    RECALL,
    make_group,
    pull,
    send,
    seqs,
    sql,
    texts,
)
from opentim.storage import Storage


async def fill(api: Client, count: int, group_id: str = "g") -> None:
    for i in range(1, count + 1):
        await send(api, group_id, "alice", f"m{i}")


async def delete_rows(storage: Storage, api: Client, *gone: int) -> None:
    """Physically remove messages, as retention would: their seqs become holes."""
    for seq in gone:
        await sql(
            storage,
            "DELETE FROM group_messages WHERE sdkappid = $1 AND seq = $2",
            api.sdkappid,
            seq,
        )


async def test_group_msg_get_simple_is_newest_first_and_at_most_20(api: Client) -> None:
    await make_group(api)
    await fill(api, 25)
    first = await pull(api, "g", ReqMsgNumber=30)
    assert seqs(first) == list(range(25, 5, -1)) and first["IsFinished"] == 0
    assert first["GroupId"] == "g"
    rest = await pull(api, "g", ReqMsgNumber=30, ReqMsgSeq=5)
    assert seqs(rest) == [5, 4, 3, 2, 1] and rest["IsFinished"] == 1


async def test_group_msg_get_simple_req_msg_seq_is_inclusive(api: Client) -> None:
    await make_group(api)
    await fill(api, 6)
    data = await pull(api, "g", ReqMsgSeq=4, ReqMsgNumber=2)
    assert seqs(data) == [4, 3] and texts(data) == ["m4", "m3"]


async def test_group_msg_get_simple_fewer_than_20_requested_is_finished(api: Client) -> None:
    await make_group(api)
    await fill(api, 6)
    data = await pull(api, "g", ReqMsgNumber=3)
    assert seqs(data) == [6, 5, 4] and data["IsFinished"] == 1


async def test_group_msg_get_simple_exactly_20_left_is_finished(api: Client) -> None:
    await make_group(api)
    await fill(api, 20)
    data = await pull(api, "g", ReqMsgNumber=50)
    assert len(seqs(data)) == 20 and data["IsFinished"] == 1


async def test_group_msg_get_simple_seq_beyond_the_last_starts_at_the_last(api: Client) -> None:
    await make_group(api)
    await fill(api, 3)
    assert seqs(await pull(api, "g", ReqMsgSeq=1000)) == [3, 2, 1]
    assert seqs(await pull(api, "g", ReqMsgSeq=0)) == [3, 2, 1]


async def test_group_msg_get_simple_empty_group(api: Client) -> None:
    await make_group(api)
    data = await pull(api, "g")
    assert data["RspMsgList"] == [] and data["IsFinished"] == 1


async def test_group_msg_get_simple_holes_are_placeholders(api: Client, storage: Storage) -> None:
    await make_group(api)
    await fill(api, 4)
    await delete_rows(storage, api, 2, 3)
    items = (await pull(api, "g"))["RspMsgList"]
    assert [(i["MsgSeq"], i["IsPlaceMsg"]) for i in items] == [(4, 0), (3, 1), (2, 1), (1, 0)]
    assert items[1]["MsgBody"] == [] and items[1]["From_Account"] == ""


async def test_group_msg_get_simple_all_placeholders_truncated_is_finished_2(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await fill(api, 22)
    await delete_rows(storage, api, *range(3, 23))
    data = await pull(api, "g", ReqMsgNumber=30)
    assert seqs(data) == list(range(22, 2, -1)) and data["IsFinished"] == 2
    assert {i["IsPlaceMsg"] for i in data["RspMsgList"]} == {1}


async def test_group_msg_get_simple_recalled_hidden_unless_with_recalled(api: Client) -> None:
    await make_group(api)
    await fill(api, 5)
    await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 4}, {"MsgSeq": 2}]})
    hidden = await pull(api, "g", ReqMsgNumber=2)
    assert seqs(hidden) == [5, 3]  # recalled ones do not count against ReqMsgNumber
    shown = await pull(api, "g", WithRecalledMsg=1)
    items = shown["RspMsgList"]
    assert [(i["MsgSeq"], i["IsPlaceMsg"]) for i in items] == [
        (5, 0),
        (4, 2),
        (3, 0),
        (2, 2),
        (1, 0),
    ]
    assert items[1]["MsgBody"] == [] and items[1]["From_Account"] == "alice"


async def test_group_msg_get_simple_cloud_custom_data_only_when_non_empty(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "with", CloudCustomData='{"k":1}')
    await send(api, "g", "alice", "without")
    items = (await pull(api, "g"))["RspMsgList"]
    assert "CloudCustomData" not in items[0]
    assert items[1]["CloudCustomData"] == '{"k":1}'
    assert "IsSystemMsg" not in items[0]


async def test_group_msg_get_simple_errors(api: Client) -> None:
    await make_group(api)
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    cases = [
        ({"GroupId": "g", "ReqMsgNumber": 0}, 10004),
        ({"GroupId": "g", "ReqMsgNumber": -3}, 10004),
        ({"GroupId": "g"}, 10004),
        ({"GroupId": "g", "ReqMsgNumber": 1, "ReqMsgSeq": -1}, 10004),
        ({"GroupId": "av", "ReqMsgNumber": 1}, 10044),
        ({"GroupId": "nope", "ReqMsgNumber": 1}, 10010),
        ({"GroupId": "", "ReqMsgNumber": 1}, 10015),
        ({"GroupId": "g", "ReqMsgNumber": 1, "TopicId": "g@TOPIC#_t"}, 10007),
    ]
    for body, code in cases:
        assert (await api(PULL, body))["ErrorCode"] == code, body


async def test_group_msg_recall_reports_each_item(api: Client) -> None:
    await make_group(api)
    await fill(api, 2)
    body = {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}, {"MsgSeq": 99}, {"MsgSeq": 0}]}
    data = await api.ok(RECALL, {**body, "Reason": "spam"})
    assert data["RecallRetList"] == [
        {"MsgSeq": 2, "RetCode": 0},
        {"MsgSeq": 99, "RetCode": 10030},
        {"MsgSeq": 0, "RetCode": 10030},
    ]
    assert seqs(await pull(api, "g")) == [1]


async def test_group_msg_recall_is_idempotent(api: Client) -> None:
    await make_group(api)
    await fill(api, 1)
    body = {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}
    await api.ok(RECALL, body)
    assert (await api.ok(RECALL, body))["RecallRetList"] == [{"MsgSeq": 1, "RetCode": 0}]


async def test_group_msg_recall_leaves_the_counter_alone(api: Client) -> None:
    await make_group(api)
    await fill(api, 2)
    await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}]})
    assert await send(api, "g", "alice", "after") == 3


async def test_group_msg_recall_errors(api: Client) -> None:
    await make_group(api)
    eleven = [{"MsgSeq": i} for i in range(1, 12)]
    cases = [
        ({"GroupId": "g", "MsgSeqList": eleven}, 10004),
        ({"GroupId": "g", "MsgSeqList": []}, 10004),
        ({"GroupId": "g", "MsgSeqList": [1, 2]}, 10004),
        ({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}], "Reason": "r" * 101}, 10004),
        ({"GroupId": "nope", "MsgSeqList": [{"MsgSeq": 1}]}, 10010),
        ({"GroupId": "", "MsgSeqList": [{"MsgSeq": 1}]}, 10015),
    ]
    for body, code in cases:
        assert (await api(RECALL, body))["ErrorCode"] == code, body
    ten = await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": eleven[:10]})
    assert {i["RetCode"] for i in ten["RecallRetList"]} == {10030}


async def test_group_msg_recall_in_avchatroom_accepts_assigned_seqs(api: Client) -> None:
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "av", None, "live")
    data = await api.ok(RECALL, {"GroupId": "av", "MsgSeqList": [{"MsgSeq": 1}, {"MsgSeq": 2}]})
    assert data["RecallRetList"] == [{"MsgSeq": 1, "RetCode": 0}, {"MsgSeq": 2, "RetCode": 10030}]
