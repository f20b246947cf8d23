"""The command table and error codes are consistent, and the README's table is derived from them."""

from __future__ import annotations

from pathlib import Path

import msgspec

from opentim import coverage
from opentim.commands import COMMANDS, by_path
from opentim.errors import TEXTS, Code

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_code_has_a_text() -> None:
    assert [c for c in Code if c not in TEXTS] == []


def test_every_module_code_in_the_table_exists() -> None:
    for row in COMMANDS:
        module = row.module
        for code in (
            module.json_parse,
            module.invalid_param,
            module.internal,
            module.user_forbidden,
        ):
            assert code in TEXTS
        for wire_field, code in row.field_codes.items():
            assert code in TEXTS or 0 < code < 200_000, (row.path, wire_field)


def test_handlers_are_named_after_the_wire_command() -> None:
    for row in COMMANDS:
        assert row.handler.__name__ == row.command, row.path
        assert row.request.__name__.lower().startswith(row.command.replace("_", "")), row.path


def test_paths_are_unique() -> None:
    assert len(by_path()) == len(COMMANDS)


def test_bound_fields_exist_on_the_request() -> None:
    for row in COMMANDS:
        if row.bound is not None:
            assert row.users, row.path
            names = {f.name for f in msgspec.structs.fields(row.request)}
            assert row.bound in names, row.path


def test_readme_command_table_is_current() -> None:
    text = README.read_text()
    assert coverage.render(text) == text, "run: python -m opentim.coverage --write README.md"
