"""Error codes as data: one IntEnum, one table of default texts, one exception.

Numbers and meanings follow Tencent Cloud Chat's public error-code page; the texts are ours
(clients only look at ``ErrorCode``).
"""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    OK = 0

    # Gateway (public 60xxx).
    HTTP_PARSE = 60002
    JSON_PARSE = 60003
    ACCOUNT_OR_SIG = 60004
    INVALID_SDKAPPID = 60006
    API_RATE_LIMIT = 60007
    REQUEST_TIMEOUT_OR_MALFORMED = 60008
    RESOURCE_ERROR = 60009
    ADMIN_REQUIRED = 60010
    APP_RATE_LIMIT = 60011
    SDKAPPID_REQUIRED = 60012
    ACCOUNT_TYPE = 60015
    SDKAPPID_DISABLED = 60016

    # Accounts and UserSig (public 70xxx).
    USERSIG_EXPIRED = 70001
    USERSIG_EMPTY = 70002
    USERSIG_INVALID = 70003
    USERSIG_INVALID_2 = 70005
    USERSIG_MISMATCH = 70009
    USERSIG_IDENTIFIER = 70013
    USERSIG_SDKAPPID = 70014
    USERSIG_NO_KEY = 70016
    USERSIG_NO_APP = 70020
    ACCOUNT_NOT_FOUND = 70107
    ACCOUNT_INTERNAL_TIMEOUT = 70169
    ACCOUNT_BATCH_QUANTITY = 70206
    ACCOUNT_INVALID_PARAM = 70402
    ACCOUNT_ADMIN_REQUIRED = 70403
    ACCOUNT_INTERNAL = 70500
    ACCOUNT_DELETE_FORBIDDEN = 71000

    # Profile (4xxxx): account_import's Nick/FaceUrl.
    PROFILE_VALUE_TOO_LONG = 40601

    # Message content (public 8xxxx).
    CONTENT_FILTERED = 80001
    MSG_TOO_LONG = 80002

    # Group service (10xxx).
    GROUP_INTERNAL = 10002
    GROUP_INVALID_COMMAND = 10003
    GROUP_INVALID_PARAM = 10004
    GROUP_TOO_MANY_ACCOUNTS = 10005
    GROUP_NO_PERMISSION = 10007
    GROUP_OWNER_CANNOT_LEAVE = 10009
    GROUP_NOT_FOUND = 10010
    GROUP_JSON_PARSE = 10011
    GROUP_ALREADY_MEMBER = 10013
    GROUP_FULL = 10014
    GROUP_INVALID_ID = 10015
    GROUP_SENDER_MUTED = 10017
    GROUP_RESPONSE_TOO_LARGE = 10018
    GROUP_ACCOUNT_NOT_FOUND = 10019
    GROUP_IMPORT_MSG_TOO_LONG = 10020
    GROUP_ID_USED = 10021
    GROUP_ID_USED_BY_YOU = 10025
    GROUP_MSG_NOT_FOUND = 10030
    GROUP_RECALL_TIME_LIMIT = 10031
    GROUP_MSG_NOT_RECALLABLE = 10032
    GROUP_TYPE_NO_RECALL = 10033
    GROUP_TYPE_NO_ROAMING = 10044
    GROUP_TOO_MANY_AT = 10053
    TOPIC_NOT_ENABLED = 11000
    TOPIC_ALREADY_DELETED = 110003

    # openim (C2C and modify_group_msg): 2xxxx / 9xxxx.
    IM_INVALID_REQUEST = 20001
    IM_SIG_EXPIRED = 20002
    IM_ACCOUNT_INVALID = 20003
    IM_INTERNAL_RETRY = 20005
    IM_DELETE_ROAMING = 20018
    IM_MSG_NOT_FOUND = 20022
    IM_MSG_RECALLED = 20023
    IM_JSON_PARSE = 90001
    IM_MSGBODY_FORMAT = 90002
    IM_TO_ACCOUNT = 90003
    IM_MSG_SEQ = 90004
    IM_MSG_RANDOM = 90005
    IM_MSG_TIMESTAMP = 90006
    IM_MSGBODY_NOT_ARRAY = 90007
    IM_FROM_ACCOUNT = 90008
    IM_ADMIN_REQUIRED = 90009
    IM_MSG_FORMAT = 90010
    IM_TOO_MANY_RECIPIENTS = 90011
    IM_TO_ACCOUNT_NOT_REGISTERED = 90012
    IM_LIFETIME_TOO_LONG = 90026
    IM_SYNC_FROM_OLD_SYSTEM = 90030
    IM_SYNC_OTHER_MACHINE = 90031
    IM_MSG_LIFETIME = 90044
    IM_ACCOUNT_NOT_EXIST = 90048
    IM_INVALID_MSGKEY = 90054
    IM_BATCH_TOO_LONG = 90055
    IM_INTERNAL = 91000
    IM_JSON_TOO_LONG = 93000

    # recentcontact (5xxxx).
    RC_ACCOUNT_NOT_FOUND = 50001
    RC_INVALID_PARAM = 50002
    RC_ADMIN_REQUIRED = 50003
    RC_INTERNAL = 50004
    RC_MARK_COUNT = 51006
    RC_GROUP_ID_LOOKUP = 51007
    RC_TOO_MANY_CONTACTS = 51008
    RC_CONTACT_GROUP_NOT_FOUND = 51009
    RC_TOO_MANY_CONTACT_GROUPS = 51010
    RC_CONTACT_GROUP_NAME = 51011
    RC_TOO_MANY_PINNED = 51012
    RC_EDITION = 51013


TEXTS: dict[Code, str] = {
    Code.OK: "",
    Code.HTTP_PARSE: "HTTP parse error, check the request URL and method",
    Code.JSON_PARSE: "JSON parse error in the request body",
    Code.ACCOUNT_OR_SIG: "account or signature missing in the request URL",
    Code.INVALID_SDKAPPID: "SDKAppID invalid",
    Code.API_RATE_LIMIT: "REST API call frequency exceeded",
    Code.REQUEST_TIMEOUT_OR_MALFORMED: "request timeout or malformed request (body too large?)",
    Code.RESOURCE_ERROR: "requested resource error, check the URL",
    Code.ADMIN_REQUIRED: "the request needs App Admin permission",
    Code.APP_RATE_LIMIT: "SDKAppID request frequency exceeded",
    Code.SDKAPPID_REQUIRED: "REST API needs sdkappid, check the URL",
    Code.ACCOUNT_TYPE: "account in the request body has the wrong type; accounts must be strings",
    Code.SDKAPPID_DISABLED: "SDKAppID disabled",
    Code.USERSIG_EXPIRED: "usersig expired",
    Code.USERSIG_EMPTY: "usersig is empty",
    Code.USERSIG_INVALID: "usersig invalid, cannot be parsed",
    Code.USERSIG_INVALID_2: "usersig invalid",
    Code.USERSIG_MISMATCH: "usersig verification failed",
    Code.USERSIG_IDENTIFIER: "identifier differs from the one the usersig was made for",
    Code.USERSIG_SDKAPPID: "sdkappid differs from the one the usersig was made for",
    Code.USERSIG_NO_KEY: "no key for this sdkappid",
    Code.USERSIG_NO_APP: "sdkappid not found",
    Code.ACCOUNT_NOT_FOUND: "Err_TLS_PT_Open_Login_Account_Not_Exist",
    Code.ACCOUNT_INTERNAL_TIMEOUT: "internal server timeout",
    Code.ACCOUNT_BATCH_QUANTITY: "invalid batch quantity",
    Code.ACCOUNT_INVALID_PARAM: "invalid parameters",
    Code.ACCOUNT_ADMIN_REQUIRED: "App Admin permission required",
    Code.ACCOUNT_INTERNAL: "internal server error",
    Code.ACCOUNT_DELETE_FORBIDDEN: "account deletion not allowed for this app",
    Code.PROFILE_VALUE_TOO_LONG: "profile value longer than 500 bytes",
    Code.CONTENT_FILTERED: "content failed the security check",
    Code.MSG_TOO_LONG: "message too long",
    Code.GROUP_INTERNAL: "internal error, retry",
    Code.GROUP_INVALID_COMMAND: "invalid command",
    Code.GROUP_INVALID_PARAM: "invalid parameter",
    Code.GROUP_TOO_MANY_ACCOUNTS: "too many accounts in one request",
    Code.GROUP_NO_PERMISSION: "no permission, or not allowed for this group type",
    Code.GROUP_OWNER_CANNOT_LEAVE: "the owner may not leave the group",
    Code.GROUP_NOT_FOUND: "group not exist or disbanded",
    Code.GROUP_JSON_PARSE: "JSON parse error",
    Code.GROUP_ALREADY_MEMBER: "already a group member",
    Code.GROUP_FULL: "group is full",
    Code.GROUP_INVALID_ID: "invalid group id",
    Code.GROUP_SENDER_MUTED: "sender is muted",
    Code.GROUP_RESPONSE_TOO_LARGE: "response would exceed 1 MB",
    Code.GROUP_ACCOUNT_NOT_FOUND: "account does not exist",
    Code.GROUP_IMPORT_MSG_TOO_LONG: "message too long",
    Code.GROUP_ID_USED: "group id used by another group",
    Code.GROUP_ID_USED_BY_YOU: "group id already used by you",
    Code.GROUP_MSG_NOT_FOUND: "message does not exist",
    Code.GROUP_RECALL_TIME_LIMIT: "recall time limit exceeded",
    Code.GROUP_MSG_NOT_RECALLABLE: "message cannot be recalled",
    Code.GROUP_TYPE_NO_RECALL: "group type does not support recall",
    Code.GROUP_TYPE_NO_ROAMING: "group type does not support roaming messages",
    Code.GROUP_TOO_MANY_AT: "more than 30 @ targets",
    Code.TOPIC_NOT_ENABLED: "topics are not enabled for this group",
    Code.TOPIC_ALREADY_DELETED: "topic already deleted",
    Code.IM_INVALID_REQUEST: "invalid request",
    Code.IM_SIG_EXPIRED: "usersig expired",
    Code.IM_ACCOUNT_INVALID: "sender or recipient invalid or not imported",
    Code.IM_INTERNAL_RETRY: "internal error, retry",
    Code.IM_DELETE_ROAMING: "internal error deleting roaming messages",
    Code.IM_MSG_NOT_FOUND: "message does not exist",
    Code.IM_MSG_RECALLED: "message has been recalled",
    Code.IM_JSON_PARSE: "Fail to Parse json data of body, Please check it",
    Code.IM_MSGBODY_FORMAT: "MsgBody not in message format or not an array",
    Code.IM_TO_ACCOUNT: "To_Account missing or does not exist",
    Code.IM_MSG_SEQ: "MsgSeq invalid",
    Code.IM_MSG_RANDOM: "MsgRandom missing or not an integer",
    Code.IM_MSG_TIMESTAMP: "MsgTimeStamp missing or not an integer",
    Code.IM_MSGBODY_NOT_ARRAY: "MsgBody is not an array",
    Code.IM_FROM_ACCOUNT: "From_Account missing or does not exist",
    Code.IM_ADMIN_REQUIRED: "App Admin permission required",
    Code.IM_MSG_FORMAT: "message format invalid",
    Code.IM_TOO_MANY_RECIPIENTS: "more than 500 recipients",
    Code.IM_TO_ACCOUNT_NOT_REGISTERED: "invalid To_Account",
    Code.IM_LIFETIME_TOO_LONG: "offline retention longer than 7 days",
    Code.IM_SYNC_FROM_OLD_SYSTEM: "SyncFromOldSystem missing or invalid",
    Code.IM_SYNC_OTHER_MACHINE: "SyncOtherMachine is not an integer",
    Code.IM_MSG_LIFETIME: "MsgLifeTime is not an integer",
    Code.IM_ACCOUNT_NOT_EXIST: "requested account does not exist",
    Code.IM_INVALID_MSGKEY: "invalid MsgKey",
    Code.IM_BATCH_TOO_LONG: "batch send packet too long",
    Code.IM_INTERNAL: "internal error",
    Code.IM_JSON_TOO_LONG: "JSON packet too long",
    Code.RC_ACCOUNT_NOT_FOUND: "UserID not imported",
    Code.RC_INVALID_PARAM: "parameter error",
    Code.RC_ADMIN_REQUIRED: "App Admin permission required",
    Code.RC_INTERNAL: "internal error",
    Code.RC_MARK_COUNT: "mark request names no conversations or more than 100",
    Code.RC_GROUP_ID_LOOKUP: "group id lookup failed (group disbanded or unknown)",
    Code.RC_TOO_MANY_CONTACTS: "conversations with group or mark data would exceed 1000",
    Code.RC_CONTACT_GROUP_NOT_FOUND: "conversation group does not exist",
    Code.RC_TOO_MANY_CONTACT_GROUPS: "more than 20 conversation groups",
    Code.RC_CONTACT_GROUP_NAME: "conversation group name empty or longer than 32 bytes",
    Code.RC_TOO_MANY_PINNED: "too many pinned conversations",
    Code.RC_EDITION: "feature needs the top edition",
}


class ApiError(Exception):
    """The outcome of a failed call: an error code and, optionally, a more precise text."""

    def __init__(self, code: Code | int, info: str | None = None) -> None:
        self.code = int(code)
        self.info = TEXTS.get(self.code, "") if info is None else info  # type: ignore[call-overload]
        super().__init__(self.code, self.info)
