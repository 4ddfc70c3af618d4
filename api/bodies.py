"""Request bodies: at most 1 MiB (else 413, before any route parses them), and always JSON."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, error_response
from dnsd.domain.errors import InvalidInput, Reason

MAX_BODY = 1024 * 1024  # 1 MiB: far above any real record or pool, far below harm


class BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes gets 413 and never reaches the app.

    A declared ``Content-Length`` over the limit is refused without reading; otherwise the body
    is read (chunked uploads included) and counted, then handed on in one piece. Buffering is
    bounded by ``limit``, so it costs at most that much memory per request.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared(scope) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before sending its body: nobody to answer
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    @staticmethod
    def _declared(scope: Scope) -> int:
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0  # the server rejects a malformed length itself
        return 0

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(PayloadTooLarge(f"request body is larger than {self.limit} bytes"))
        await response(scope, receive, send)


class JsonBodies:
    """ASGI middleware: read every request body as JSON, whatever ``Content-Type`` says.

    ``curl -d '{...}'`` declares ``application/x-www-form-urlencoded`` unless told otherwise,
    and FastAPI would then not parse the JSON; with no ``Content-Type`` at all it would hand the
    raw bytes on. This API takes no forms, so a body is JSON, and JSON is UTF-8 (RFC 8259): a
    body that is not is refused here (422 at ``body``, naming the first bad byte). Runs inside
    :class:`BodyLimit`, so the body it reads is bounded.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before sending its body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = f"is not UTF-8 ({exc.reason} at byte {exc.start}); send JSON encoded as UTF-8"
            await error_response(InvalidInput([Reason("", f"the request body {problem}")]))(
                scope, receive, send
            )
            return
        headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"content-type"]
        declared = [v for k, v in scope.get("headers", ()) if k == b"content-type"]
        if (declared and b"json" not in declared[0].lower()) or (body and not declared):
            scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnects first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
