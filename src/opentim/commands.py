"""The command table: one row per ``(service, command)``. Dispatch, docs and tests derive from it.

No logic here. ``users`` marks commands callable on the client API, ``bound`` the request
attribute bound to the caller there; ``field_codes`` maps a wire field whose decoding fails to
the code the real service answers for it; ``rate`` overrides the app's per-API rate limit where
Tencent documents a lower one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentim.modules import ACCOUNTS, GROUP, OPENIM, RECENTCONTACT, Module
from opentim.services import (
    accounts,
    c2c,
    c2c_history,
    c2c_unread,
    contact_groups,
    conversations,
    group_history,
    group_info,
    group_members,
    group_messages,
    group_send,
    groups,
    topics,
)
from opentim.wire import accounts as w_accounts
from opentim.wire import c2c as w_c2c
from opentim.wire import group_messages as w_gmsg
from opentim.wire import groups as w_groups
from opentim.wire import recentcontact as w_rc
from opentim.wire import topics as w_topics

__all__ = ["COMMANDS", "GROUP", "OPENIM", "RECENTCONTACT", "Command", "by_path"]


@dataclass(frozen=True, slots=True)
class Command:
    service: str
    command: str
    request: type[Any]
    handler: Callable[[Any, Any], Awaitable[Any]]
    module: Module
    users: bool = False
    bound: str | None = None
    field_codes: Mapping[str, int] = field(default_factory=dict)
    rate: int | None = None

    @property
    def path(self) -> str:
        return f"{self.service}/{self.command}"


LOGIN = "im_open_login_svc"
GROUP_SVC = "group_open_http_svc"
TOPIC_SVC = "million_group_open_http_svc"
IM = "openim"
RC = "recentcontact"

# openim fields whose decoding failure has its own code (C2C send/import/recall).
SEND_FIELD_CODES = {
    "To_Account": 90003,
    "MsgSeq": 90004,
    "MsgRandom": 90005,
    "SyncOtherMachine": 90031,
    "MsgLifeTime": 90044,
}
MSG_KEY_FIELD_CODES = {"From_Account": 90008, "To_Account": 90003, "MsgKey": 90054}

COMMANDS: tuple[Command, ...] = (
    # --- accounts -------------------------------------------------------------------------
    Command(
        LOGIN, "account_import", w_accounts.AccountImportRequest, accounts.account_import, ACCOUNTS
    ),
    Command(
        LOGIN,
        "multiaccount_import",
        w_accounts.MultiaccountImportRequest,
        accounts.multiaccount_import,
        ACCOUNTS,
        rate=100,
    ),
    Command(
        LOGIN,
        "account_delete",
        w_accounts.AccountDeleteRequest,
        accounts.account_delete,
        ACCOUNTS,
        rate=100,
    ),
    Command(
        LOGIN,
        "account_check",
        w_accounts.AccountCheckRequest,
        accounts.account_check,
        ACCOUNTS,
        rate=100,
    ),
    Command(LOGIN, "kick", w_accounts.KickRequest, accounts.kick, ACCOUNTS),
    # --- groups (group_open_http_svc) -------------------------------------------------------
    Command(GROUP_SVC, "create_group", w_groups.CreateGroupRequest, groups.create_group, GROUP),
    Command(GROUP_SVC, "destroy_group", w_groups.DestroyGroupRequest, groups.destroy_group, GROUP),
    Command(
        GROUP_SVC,
        "add_group_member",
        w_groups.AddGroupMemberRequest,
        groups.add_group_member,
        GROUP,
    ),
    Command(GROUP_SVC, "import_group", w_groups.ImportGroupRequest, groups.import_group, GROUP),
    Command(
        GROUP_SVC,
        "get_appid_group_list",
        w_groups.GetAppidGroupListRequest,
        groups.get_appid_group_list,
        GROUP,
        rate=1,
    ),
    Command(
        GROUP_SVC,
        "change_group_owner",
        w_groups.ChangeGroupOwnerRequest,
        groups.change_group_owner,
        GROUP,
    ),
    Command(
        GROUP_SVC, "get_group_info", w_groups.GetGroupInfoRequest, group_info.get_group_info, GROUP
    ),
    Command(
        GROUP_SVC,
        "modify_group_base_info",
        w_groups.ModifyGroupBaseInfoRequest,
        group_info.modify_group_base_info,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "get_joined_group_list",
        w_groups.GetJoinedGroupListRequest,
        group_info.get_joined_group_list,
        GROUP,
        users=True,
        bound="member_account",
    ),
    Command(
        GROUP_SVC,
        "delete_group_member",
        w_groups.DeleteGroupMemberRequest,
        group_members.delete_group_member,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "get_group_member_info",
        w_groups.GetGroupMemberInfoRequest,
        group_members.get_group_member_info,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "import_group_member",
        w_groups.ImportGroupMemberRequest,
        group_members.import_group_member,
        GROUP,
    ),
    # --- group messages ---------------------------------------------------------------------
    Command(
        GROUP_SVC,
        "send_group_msg",
        w_gmsg.SendGroupMsgRequest,
        group_send.send_group_msg,
        GROUP,
        users=True,
        bound="from_account",
        field_codes={"OfflinePushInfo": 10004, "GroupAtInfo": 10004},
    ),
    Command(
        GROUP_SVC,
        "group_msg_get_simple",
        w_gmsg.GroupMsgGetSimpleRequest,
        group_messages.group_msg_get_simple,
        GROUP,
        users=True,
    ),
    Command(
        GROUP_SVC,
        "group_msg_recall",
        w_gmsg.GroupMsgRecallRequest,
        group_messages.group_msg_recall,
        GROUP,
        users=True,
        field_codes={"MsgSeqList": 10004},
    ),
    Command(
        GROUP_SVC,
        "import_group_msg",
        w_gmsg.ImportGroupMsgRequest,
        group_send.import_group_msg,
        GROUP,
        field_codes={"MsgList": 10004},
    ),
    Command(
        GROUP_SVC,
        "send_group_system_notification",
        w_gmsg.SendGroupSystemNotificationRequest,
        group_send.send_group_system_notification,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "set_unread_msg_num",
        w_gmsg.SetUnreadMsgNumRequest,
        group_send.set_unread_msg_num,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "clear_group_msg",
        w_gmsg.ClearGroupMsgRequest,
        group_history.clear_group_msg,
        GROUP,
    ),
    Command(
        GROUP_SVC,
        "delete_group_msg_by_sender",
        w_gmsg.DeleteGroupMsgBySenderRequest,
        group_history.delete_group_msg_by_sender,
        GROUP,
    ),
    Command(
        IM, "modify_group_msg", w_gmsg.ModifyGroupMsgRequest, group_history.modify_group_msg, OPENIM
    ),
    # --- community topics (million_group_open_http_svc) -------------------------------------
    Command(TOPIC_SVC, "create_topic", w_topics.CreateTopicRequest, topics.create_topic, GROUP),
    Command(TOPIC_SVC, "get_topic", w_topics.GetTopicRequest, topics.get_topic, GROUP),
    Command(TOPIC_SVC, "destroy_topic", w_topics.DestroyTopicRequest, topics.destroy_topic, GROUP),
    # --- one-to-one messages (openim) -------------------------------------------------------
    Command(
        IM,
        "sendmsg",
        w_c2c.SendMsgRequest,
        c2c.sendmsg,
        OPENIM,
        users=True,
        bound="from_account",
        field_codes=SEND_FIELD_CODES,
    ),
    Command(
        IM,
        "batchsendmsg",
        w_c2c.BatchSendMsgRequest,
        c2c.batchsendmsg,
        OPENIM,
        field_codes=SEND_FIELD_CODES,
    ),
    Command(
        IM,
        "importmsg",
        w_c2c.ImportMsgRequest,
        c2c.importmsg,
        OPENIM,
        field_codes={
            **SEND_FIELD_CODES,
            "From_Account": 90008,
            "MsgTimeStamp": 90006,
            "SyncFromOldSystem": 90030,
        },
    ),
    Command(
        IM,
        "admin_getroammsg",
        w_c2c.AdminGetRoamMsgRequest,
        c2c_history.admin_getroammsg,
        OPENIM,
        users=True,
        bound="operator_account",
        field_codes={"Operator_Account": 90008, "Peer_Account": 90003, "LastMsgKey": 90054},
    ),
    Command(
        IM,
        "admin_msgwithdraw",
        w_c2c.AdminMsgWithdrawRequest,
        c2c_history.admin_msgwithdraw,
        OPENIM,
        users=True,
        bound="from_account",
        field_codes=MSG_KEY_FIELD_CODES,
    ),
    Command(
        IM,
        "modify_c2c_msg",
        w_c2c.ModifyC2cMsgRequest,
        c2c_history.modify_c2c_msg,
        OPENIM,
        field_codes=MSG_KEY_FIELD_CODES,
    ),
    Command(
        IM,
        "admin_set_msg_read",
        w_c2c.AdminSetMsgReadRequest,
        c2c_unread.admin_set_msg_read,
        OPENIM,
        field_codes={"Report_Account": 90008, "Peer_Account": 90003},
    ),
    Command(
        IM,
        "get_c2c_unread_msg_num",
        w_c2c.GetC2cUnreadMsgNumRequest,
        c2c_unread.get_c2c_unread_msg_num,
        OPENIM,
        field_codes={"To_Account": 90003},
    ),
    Command(
        IM,
        "delete_c2c_msg_ramble",
        w_c2c.DeleteC2cMsgRambleRequest,
        c2c_history.delete_c2c_msg_ramble,
        OPENIM,
        field_codes={"Operator_Account": 90008, "Peer_Account": 90003, "MsgKeyList": 90054},
    ),
    # --- conversations and conversation groups (recentcontact) ------------------------------
    Command(
        RC,
        "get_list",
        w_rc.GetListRequest,
        conversations.get_list,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "delete",
        w_rc.DeleteRequest,
        conversations.delete,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "mark_contact",
        w_rc.MarkContactRequest,
        contact_groups.mark_contact,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "create_contact_group",
        w_rc.CreateContactGroupRequest,
        contact_groups.create_contact_group,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "update_contact_group",
        w_rc.UpdateContactGroupRequest,
        contact_groups.update_contact_group,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "del_contact_group",
        w_rc.DelContactGroupRequest,
        contact_groups.del_contact_group,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "search_contact_group",
        w_rc.SearchContactGroupRequest,
        contact_groups.search_contact_group,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
    Command(
        RC,
        "get_contact_group",
        w_rc.GetContactGroupRequest,
        contact_groups.get_contact_group,
        RECENTCONTACT,
        users=True,
        bound="from_account",
    ),
)


def by_path() -> dict[str, Command]:
    """``"service/command"`` → row; a duplicate row is a bug caught at start-up."""
    table: dict[str, Command] = {}
    for row in COMMANDS:
        if row.path in table:
            raise ValueError(f"duplicate command row {row.path}")
        table[row.path] = row
    return table
