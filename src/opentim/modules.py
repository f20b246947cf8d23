"""Tencent's backend modules: each has its own codes for the same kinds of failure."""

from __future__ import annotations

from dataclasses import dataclass

from opentim.errors import Code


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    json_parse: Code
    """Malformed or empty body."""
    invalid_param: Code
    """A body that parses but does not fit the command's fields."""
    internal: Code
    """An unexpected failure (storage down, a bug); never a traceback."""
    user_forbidden: Code
    """Client API: the bound account field names someone other than the caller."""


ACCOUNTS = Module(
    "im_open_login_svc",
    json_parse=Code.JSON_PARSE,
    invalid_param=Code.ACCOUNT_INVALID_PARAM,
    internal=Code.ACCOUNT_INTERNAL,
    user_forbidden=Code.ACCOUNT_ADMIN_REQUIRED,
)
GROUP = Module(
    "group_open_http_svc",
    json_parse=Code.JSON_PARSE,
    invalid_param=Code.GROUP_INVALID_PARAM,
    internal=Code.GROUP_INTERNAL,
    user_forbidden=Code.GROUP_NO_PERMISSION,
)
OPENIM = Module(
    "openim",
    json_parse=Code.IM_JSON_PARSE,
    invalid_param=Code.IM_INVALID_REQUEST,
    internal=Code.IM_INTERNAL,
    user_forbidden=Code.IM_INVALID_REQUEST,  # 90009 "admin required" would read wrongly here
)
RECENTCONTACT = Module(
    "recentcontact",
    json_parse=Code.JSON_PARSE,
    invalid_param=Code.RC_INVALID_PARAM,
    internal=Code.RC_INTERNAL,
    user_forbidden=Code.RC_ADMIN_REQUIRED,
)
