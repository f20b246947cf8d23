"""The README's table of implemented commands, derived from the command table.

``python -m opentim.coverage`` prints it; ``--write README.md`` replaces the block between the
``commands:start``/``commands:end`` markers (a test checks the README is current).
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from opentim.commands import COMMANDS, Command

DOCUMENTED = (
    "im_open_login_svc/account_import",
    "im_open_login_svc/multiaccount_import",
    "im_open_login_svc/account_delete",
    "im_open_login_svc/account_check",
    "im_open_login_svc/kick",
    "group_open_http_svc/create_group",
    "group_open_http_svc/destroy_group",
    "group_open_http_svc/get_group_info",
    "group_open_http_svc/get_appid_group_list",
    "group_open_http_svc/add_group_member",
    "group_open_http_svc/delete_group_member",
    "group_open_http_svc/get_group_member_info",
    "group_open_http_svc/modify_group_base_info",
    "group_open_http_svc/get_joined_group_list",
    "group_open_http_svc/change_group_owner",
    "group_open_http_svc/import_group",
    "group_open_http_svc/import_group_member",
    "group_open_http_svc/send_group_msg",
    "group_open_http_svc/group_msg_get_simple",
    "group_open_http_svc/group_msg_recall",
    "group_open_http_svc/import_group_msg",
    "group_open_http_svc/send_group_system_notification",
    "group_open_http_svc/set_unread_msg_num",
    "group_open_http_svc/clear_group_msg",
    "group_open_http_svc/delete_group_msg_by_sender",
    "openim/modify_group_msg",
    "million_group_open_http_svc/create_topic",
    "million_group_open_http_svc/get_topic",
    "million_group_open_http_svc/destroy_topic",
    "openim/sendmsg",
    "openim/batchsendmsg",
    "openim/importmsg",
    "openim/admin_getroammsg",
    "openim/admin_msgwithdraw",
    "openim/modify_c2c_msg",
    "openim/admin_set_msg_read",
    "openim/get_c2c_unread_msg_num",
    "openim/delete_c2c_msg_ramble",
    "recentcontact/get_list",
    "recentcontact/delete",
    "recentcontact/mark_contact",
    "recentcontact/create_contact_group",
    "recentcontact/update_contact_group",
    "recentcontact/del_contact_group",
    "recentcontact/search_contact_group",
    "recentcontact/get_contact_group",
)
"""The commands of the behaviour spec, in its order."""

START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def _client(row: Command) -> str:
    if not row.users:
        return ""
    wire = {f.name: f.encode_name for f in msgspec.structs.fields(row.request)}
    return f"yes (`{wire[row.bound]}`)" if row.bound else "yes"


def table() -> str:
    rows = {row.path: row for row in COMMANDS}
    lines = [
        "| command | implemented | client API (bound field) |",
        "|---|---|---|",
    ]
    for path in (*DOCUMENTED, *sorted(set(rows) - set(DOCUMENTED))):
        row = rows.get(path)
        if row is None:
            lines.append(f"| `{path}` | no | |")
            continue
        lines.append(f"| `{path}` | yes | {_client(row)} |")
    done = sum(p in rows for p in DOCUMENTED)
    lines.append("")
    lines.append(f"{done} of {len(DOCUMENTED)} documented commands implemented.")
    return "\n".join(lines)


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"]:
        path = Path(argv[1] if len(argv) > 1 else "README.md")
        path.write_text(render(path.read_text()))
    else:
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
