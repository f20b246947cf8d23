"""The workloads, declared as data: which command, which request bodies, at which sizes.

A workload is one row of ``WORKLOADS``. Its ``bodies`` function returns the request variants
that the load generator sends round-robin; ``UNIQUE`` in a body is replaced, per request, by a
number unique to the run (the ``Random`` of a send, so that no send is a de-duplicated repeat).
A workload whose command is not in OpenTIM's command table yet, or whose data the schema cannot
hold yet, is reported as "not available" instead of being run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dataset import (
    ADMIN,
    C2C_OWNER,
    C2C_PEER,
    CROWD,
    GROUPS,
    HISTORY_GROUP,
    HOT_GROUP,
    SPAMMER,
    USERS,
    Dataset,
    group,
    text_body,
    user,
)

UNIQUE = 3_999_999_999
"""Placeholder for the per-request unique number (a uint32 no real request uses)."""

SEND, READ, HISTORY = "send", "read", "history"
SMALL, LARGE = "small", "large"
"""The two dataset sizes: 1 thousand and 1 million stored messages (``--messages`` changes them)."""


@dataclass(frozen=True, slots=True)
class Request:
    body: dict[str, Any]
    identifier: str = ADMIN
    fresh_sig: bool = False
    """Sign every variant with its own UserSig: each request pays the full verification."""
    client: bool = False
    """Call the client API (``/client/v1/``) signed as ``identifier`` instead of the admin API."""


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    command: str
    kind: str
    bodies: Callable[[Dataset], list[Request]]
    sizes: tuple[str, ...] = (SMALL,)
    needs: tuple[str, ...] = ()
    """Tables the seed data must reach (besides the core ones) for the workload to mean anything."""
    variants: int = 0
    """Repeat the variants up to this many (with fresh UserSigs when ``fresh_sig``)."""


def _send_group(groups: list[int]) -> Callable[[Dataset], list[Request]]:
    def bodies(ds: Dataset) -> list[Request]:
        return [
            Request(
                {
                    "GroupId": group(i),
                    "From_Account": ds.group_members(i)[1],
                    "Random": UNIQUE,
                    "MsgBody": text_body("hello, this is a benchmark message"),
                }
            )
            for i in groups
        ]

    return bodies


def _send_hot(ds: Dataset) -> list[Request]:
    return [
        Request(
            {
                "GroupId": HOT_GROUP,
                "From_Account": account,
                "Random": UNIQUE,
                "MsgBody": text_body("hello, this is a benchmark message"),
            }
        )
        for account in ds.crowd()
    ]


def _sendmsg(ds: Dataset) -> list[Request]:
    return [
        Request(
            {
                "SyncOtherMachine": 1,
                "From_Account": user(i),
                "To_Account": user((i + USERS // 2) % USERS),
                "MsgRandom": UNIQUE,
                "MsgBody": text_body("hello, this is a benchmark message"),
            }
        )
        for i in range(100)
    ]


def _history_pages(ds: Dataset) -> list[Request]:
    """The newest 20 messages, and 20-message pages spread over the whole history."""
    pages = [Request({"GroupId": HISTORY_GROUP, "ReqMsgNumber": 20})]
    step = max(1, ds.messages // 50)
    pages += [
        Request({"GroupId": HISTORY_GROUP, "ReqMsgNumber": 20, "ReqMsgSeq": seq})
        for seq in range(ds.messages, 20, -step)
    ]
    return pages


def _member_pages(ds: Dataset) -> list[Request]:
    """The newest 20 messages as each member sees them, signed in as that member."""
    return [
        Request({"GroupId": HISTORY_GROUP, "ReqMsgNumber": 20}, identifier=account, client=True)
        for account in ds.crowd()
    ]


def _newest_page(ds: Dataset) -> list[Request]:
    return [Request({"GroupId": HISTORY_GROUP, "ReqMsgNumber": 20}, fresh_sig=True)]


def _roam(ds: Dataset) -> list[Request]:
    return [
        Request(
            {
                "Operator_Account": C2C_OWNER,
                "Peer_Account": C2C_PEER,
                "MaxCnt": 20,
                "MinTime": 0,
                "MaxTime": ds.now + 86400,
            }
        )
    ]


def _get_list(ds: Dataset) -> list[Request]:
    return [
        Request(
            {
                "From_Account": account,
                "TimeStamp": 0,
                "StartIndex": 0,
                "TopTimeStamp": 0,
                "TopStartIndex": 0,
                "AssistFlags": 7,
            }
        )
        for account in ds.crowd()
    ]


def _account_check(ds: Dataset) -> list[Request]:
    return [Request({"CheckItem": [{"UserID": user(i)}]}) for i in range(100)]


def _clear(ds: Dataset) -> list[Request]:
    return [
        Request({"GroupId": HISTORY_GROUP}),
        Request({"GroupId": HISTORY_GROUP, "MsgSeq": ds.messages // 2}),
    ]


def _delete_by_sender(ds: Dataset) -> list[Request]:
    senders = [SPAMMER] + [user(i) for i in range(CROWD - 10, CROWD - 1)]
    return [Request({"GroupId": HISTORY_GROUP, "Sender_Account": s}) for s in senders]


def _modify(ds: Dataset) -> list[Request]:
    step = max(1, ds.messages // 100)
    return [
        Request(
            {
                "GroupId": HISTORY_GROUP,
                "MsgSeq": seq,
                "MsgBody": text_body(f"edited by a moderator ({seq})"),
                "CloudCustomData": '{"edited":true}',
            }
        )
        for seq in range(ds.messages, 0, -step)
    ]


def _delete_group_conversation(ds: Dataset) -> list[Request]:
    return [
        Request({"From_Account": account, "Type": 2, "ToGroupid": HISTORY_GROUP, "ClearRamble": 1})
        for account in ds.crowd()
    ]


def _delete_c2c_conversation(ds: Dataset) -> list[Request]:
    return [
        Request({"From_Account": C2C_OWNER, "Type": 1, "To_Account": C2C_PEER, "ClearRamble": 1}),
        Request({"From_Account": C2C_PEER, "Type": 1, "To_Account": C2C_OWNER, "ClearRamble": 1}),
    ]


GSVC = "group_open_http_svc"
BOTH = (SMALL, LARGE)

WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "account_check (one account)", "im_open_login_svc/account_check", READ, _account_check
    ),
    Workload(
        "send_group_msg (100 groups)",
        f"{GSVC}/send_group_msg",
        SEND,
        _send_group(list(range(GROUPS))),
    ),
    Workload("send_group_msg (one hot group)", f"{GSVC}/send_group_msg", SEND, _send_hot),
    Workload("sendmsg", "openim/sendmsg", SEND, _sendmsg),
    Workload(
        "group_msg_get_simple (20 messages)",
        f"{GSVC}/group_msg_get_simple",
        READ,
        _history_pages,
        BOTH,
    ),
    Workload(
        "group_msg_get_simple (client API, as a member)",
        f"{GSVC}/group_msg_get_simple",
        READ,
        _member_pages,
        BOTH,
    ),
    Workload(
        "group_msg_get_simple (new UserSig each request)",
        f"{GSVC}/group_msg_get_simple",
        READ,
        _newest_page,
        variants=60_000,
    ),
    Workload(
        "admin_getroammsg (20 messages)",
        "openim/admin_getroammsg",
        READ,
        _roam,
        BOTH,
        needs=("c2c",),
    ),
    Workload("recentcontact/get_list", "recentcontact/get_list", READ, _get_list, BOTH),
    Workload(
        "delete_group_msg_by_sender",
        f"{GSVC}/delete_group_msg_by_sender",
        HISTORY,
        _delete_by_sender,
        BOTH,
    ),
    Workload("modify_group_msg", "openim/modify_group_msg", HISTORY, _modify, BOTH),
    Workload(
        "recentcontact/delete ClearRamble=1 (group)",
        "recentcontact/delete",
        HISTORY,
        _delete_group_conversation,
        BOTH,
    ),
    Workload(
        "recentcontact/delete ClearRamble=1 (C2C)",
        "recentcontact/delete",
        HISTORY,
        _delete_c2c_conversation,
        BOTH,
        needs=("c2c",),
    ),
    Workload("clear_group_msg", f"{GSVC}/clear_group_msg", HISTORY, _clear, BOTH),
)

SCALING = "send_group_msg (100 groups)"
"""The workload run again with several server processes on PostgreSQL."""

QUICK = (
    "account_check (one account)",
    "send_group_msg (100 groups)",
    "group_msg_get_simple (20 messages)",
    "clear_group_msg",
)
"""The workloads of ``--quick`` (the smoke test): the lightest command, one write, one read and
one history operation."""
