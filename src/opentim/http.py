"""The ASGI endpoints: `/v4/<service>/<command>`, `/client/v1/<service>/<command>`, `/healthz`.

A thin dispatcher (a dict lookup per request) rather than a framework: the request path is hot.
Every API outcome is HTTP 200 with the envelope; foreign exceptions stop here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from opentim.auth import Authenticator
from opentim.commands import Command, by_path
from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.protocol import CYCLE, IN_FLIGHT, LATE, TIMED, answerer, whole_body
from opentim.ratelimit import make_limiter
from opentim.settings import Settings
from opentim.storage import Storage, StorageError
from opentim.storage.engine import PENDING_COMMITS, InvalidValue, settle
from opentim.wire.common import Failure

log = logging.getLogger("opentim.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ADMIN_PREFIX = "/v4/"
CLIENT_PREFIX = "/client/v1/"
_HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"X-Requested-With"),
    (b"access-control-allow-methods", b"POST"),
]
_encoder = msgspec.json.Encoder()
_write_answer = answerer(_HEADERS)
_PATH_IN_ERROR = re.compile(r"`\$((?:\.[^`\[]+|\[\d+\])*)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


def parse_query(raw: bytes) -> dict[str, str]:
    """The query parameters as ``dict(parse_qsl(...))`` reads them (blank values dropped, the
    last of a repeated name kept), without its per-parameter unquoting when nothing is quoted:
    signed URLs carry no ``%`` or ``+``, and parse_qsl was 4.4 of this path's microseconds."""
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return dict(parse_qsl(text))
    query = {}
    for part in text.split("&"):
        name, _, value = part.partition("=")
        if value:
            query[name] = value
    return query


class BodyTooLarge(Exception):
    pass


def _failure(code: int, info: str) -> bytes:
    return _encoder.encode(Failure(error_code=code, error_info=info))


def _wire_field(message: str) -> str:
    """The wire name of the field a msgspec error message points at ('' for the body)."""
    missing = _MISSING_FIELD.search(message)
    if missing:
        return missing.group(1)
    path = _PATH_IN_ERROR.search(message)
    if not path:
        return ""
    keys = [k for k in re.split(r"\.|\[\d+\]", path.group(1)) if k]
    return keys[-1] if keys else ""


def _is_json(raw: bytes) -> bool:
    try:
        msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return False
    return True


def decode_error(row: Command, exc: msgspec.DecodeError, raw: bytes) -> ApiError:
    """Map a body that failed to decode to the code the real service answers for it."""
    # The typed decoder stops at the first schema error, before it sees the rest of the
    # body: malformed JSON must still get the JSON code, so check (on this failure path only).
    if not isinstance(exc, msgspec.ValidationError) or not _is_json(raw):
        return ApiError(row.module.json_parse, f"JSON parse error: {exc}")
    message = str(exc)
    name = _wire_field(message)
    if name in row.field_codes:
        return ApiError(row.field_codes[name], message)
    if ("Account" in name or name in ("UserID", "Identifier")) and "Expected `str" in message:
        return ApiError(Code.ACCOUNT_TYPE, message)
    if message.startswith("Expected `object`"):
        return ApiError(row.module.json_parse, message)
    return ApiError(row.module.invalid_param, message)


class Api:
    """The ASGI callable serving the admin API, the client API and the health check."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self.commands = by_path()
        self.decoders = {p: msgspec.json.Decoder(r.request) for p, r in self.commands.items()}
        self.auth = Authenticator(settings, storage)
        self.limiter = make_limiter(settings)
        self._ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        # taken out of the scope at once: the cycle refers to the scope, and a reference cycle
        # would leave every request's scope and cycle to the garbage collector (its pauses
        # showed in the p99)
        cycle = scope.pop(CYCLE, None)
        if IN_FLIGHT in scope:  # the server's requests in flight, for the engine's group commit
            self.storage.load.requests = scope[IN_FLIGHT]
        if path.startswith(ADMIN_PREFIX):
            body = await self._call(scope, receive, cycle, path[len(ADMIN_PREFIX) :], False)
        elif path.startswith(CLIENT_PREFIX):
            body = await self._call(scope, receive, cycle, path[len(CLIENT_PREFIX) :], True)
        elif path == "/healthz":
            body = b'{"status":"ok"}'
        else:
            body = _failure(Code.RESOURCE_ERROR, f"no such path: {path}")
        if cycle is not None and _write_answer(cycle, body):  # under `opentim serve`
            return
        headers = [*_HEADERS, (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _read_body(self, scope: Scope, receive: Receive, cycle: Any) -> bytes:
        """The whole body, within ``max_body_bytes`` and ``body_timeout`` (a slow sender is cut).

        Under ``opentim serve`` the protocol keeps the time limit (opentim/protocol.py): it
        wakes ``receive()`` with ``scope[LATE]`` set, and no timer is needed here. A body that
        came whole with its headers is taken from the protocol's cycle at once.
        """
        body = whole_body(cycle) if cycle is not None else None
        if body is not None:
            if len(body) > self.settings.max_body_bytes:
                raise BodyTooLarge
            return body
        if TIMED in scope:
            return await self._read_chunks(scope, receive)
        async with asyncio.timeout(self.settings.body_timeout):
            return await self._read_chunks(scope, receive)

    async def _read_chunks(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if LATE in scope:
                raise TimeoutError
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _call(
        self, scope: Scope, receive: Receive, cycle: Any, api: str, client_api: bool
    ) -> bytes:
        """The answer to one API call: its result, or the envelope of the error it met.

        It is given once every COMMIT the call read uncommitted data of has happened
        (``PENDING_COMMITS``): a COMMIT that failed makes it an internal error."""
        row = self.commands.get(api) or self.commands.get(api.rstrip("/"))
        pending: list[asyncio.Future[None]] = []
        token = PENDING_COMMITS.set(pending)
        try:
            try:
                return await self._run(scope, receive, cycle, row, api, client_api)
            finally:
                PENDING_COMMITS.reset(token)
                if pending:
                    await settle(pending)
        except ApiError as err:
            return _failure(err.code, err.info)
        except InvalidValue as exc:
            assert row is not None
            return _failure(row.module.invalid_param, f"value out of range: {exc}")
        except StorageError as exc:
            request_id = next(self._ids)
            log.error("request %d %s: storage failure: %s", request_id, api, exc)
            code = row.module.internal if row else Code.GROUP_INTERNAL
            return _failure(code, f"internal error (request {request_id})")
        except Exception:
            request_id = next(self._ids)
            log.exception("request %d %s failed", request_id, api)
            code = row.module.internal if row else Code.GROUP_INTERNAL
            return _failure(code, f"internal error (request {request_id})")

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        cycle: Any,
        row: Command | None,
        api: str,
        client_api: bool,
    ) -> bytes:
        """The steps of a call in the real service's order: path, method, app and UserSig,
        rate limit, body, then the command."""
        if row is None or (client_api and not row.users):
            what = "not available on the client API" if row else "unknown service/command"
            raise ApiError(Code.RESOURCE_ERROR, f"{what}: {api}")
        if scope["method"] != "POST":
            raise ApiError(Code.HTTP_PARSE, "only POST is supported")
        query = parse_query(scope["query_string"])
        now = int(time.time())
        caller = await self.auth.authenticate(query, client_api, now)
        limit = caller.app.rate_limit and min(
            row.rate or caller.app.rate_limit, caller.app.rate_limit
        )
        if limit and not await self.limiter.allow(caller.app.sdkappid, row.path, limit):
            raise ApiError(Code.API_RATE_LIMIT)
        try:
            raw = await self._read_body(scope, receive, cycle)
        except BodyTooLarge:
            raise ApiError(Code.REQUEST_TIMEOUT_OR_MALFORMED, "request body too large") from None
        except TimeoutError:
            raise ApiError(Code.REQUEST_TIMEOUT_OR_MALFORMED, "request body too slow") from None
        if not raw or raw.isspace():
            raise ApiError(row.module.json_parse, "empty body; send {} at least")
        try:
            request = self.decoders[row.path].decode(raw)
        except msgspec.DecodeError as exc:
            raise decode_error(row, exc, raw) from None
        except UnicodeDecodeError:
            raise ApiError(row.module.json_parse, "body is not valid UTF-8") from None
        except RecursionError:
            raise ApiError(row.module.json_parse, "body nested too deeply") from None
        ctx = Ctx(caller.app, self.storage, caller.identifier)
        if client_api:
            ctx.user = caller.identifier
            self._bind(row, request, caller.identifier)
        return _encoder.encode(await row.handler(ctx, request))

    @staticmethod
    def _bind(row: Command, request: Any, user: str) -> None:
        """Client API: the account field of ``row.bound`` is the caller, or the call fails."""
        if row.bound is None:
            return
        named = getattr(request, row.bound)
        if named is msgspec.UNSET or named is None or named == "":
            setattr(request, row.bound, user)
        elif named != user:
            raise ApiError(row.module.user_forbidden, "a user may act only for itself")
