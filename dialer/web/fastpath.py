"""Twilio's webhooks answered inside the HTTP protocol, without uvicorn's ASGI request cycle.

uvicorn takes an HTTP protocol class (``uvicorn.Config(http=...)``). :func:`webhook_protocol`
makes one from uvicorn's own httptools protocol: a POST to one of Twilio's webhook paths is
handed, once its body is read, to that path's :meth:`SignedEndpoint.respond` in a task of its
own, and the reply is written in one piece when it is ready. What that skips, per request: the
ASGI scope, the request-response cycle and its event, the receive and send messages and the
header lists built for them. Every other request (the console, ``/healthz``, a webhook path
with another method or ``Expect: 100-continue``) takes uvicorn's ordinary path to the ASGI app.

On a burst of 200 answers the last one waits for the 199 before it, so what each answer costs
is what the issue's 2-second path is about. A pipelined request waits behind the reply being
decided (it stands in uvicorn's ``cycle`` slot), so replies leave in order.

The handler runs in a task, not eagerly from the parser's callback: code it reaches (the
engine, the REST client's timeouts) may need ``asyncio.current_task()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import ClassVar, cast

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from dialer.web.twilio_hooks import MAX_BODY, TOO_LARGE, RawRequest, Reply, SignedEndpoint

__all__ = ["webhook_protocol"]

log = logging.getLogger(__name__)
_FAILED = Reply(500, b"internal error", b"text/plain; charset=utf-8")


class _Pending:
    """One webhook request being answered. It stands in uvicorn's ``cycle`` slot meanwhile, so
    that a pipelined request waits behind it (uvicorn starts one when the cycle is complete)."""

    def __init__(self, protocol: _WebhookProtocol, keep_alive: bool) -> None:
        self.protocol = protocol
        self.keep_alive = keep_alive  # uvicorn clears it to close after the reply (shutdown)
        self.response_complete = False
        self.disconnected = False  # what uvicorn notes when the connection is lost
        self.message_event = self  # and it sets this event then: nothing waits for it

    def set(self) -> None:
        pass

    def done(self, task: asyncio.Task[Reply]) -> None:
        protocol = self.protocol
        protocol.tasks.discard(cast("asyncio.Task[None]", task))
        self.response_complete = True
        protocol._reply(_result(task), self.keep_alive)


def webhook_protocol(endpoints: Mapping[str, SignedEndpoint]) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with ``endpoints`` (by exact path) on the fast path."""
    routes = {path.encode("ascii"): endpoint for path, endpoint in endpoints.items()}
    return type("WebhookProtocol", (_WebhookProtocol,), {"routes": routes})


class _WebhookProtocol(HttpToolsProtocol):
    routes: ClassVar[dict[bytes, SignedEndpoint]] = {}
    _endpoint: SignedEndpoint | None = None
    _query = b""
    _chunks: list[bytes]
    _size = 0
    _keep_alive = True

    def on_message_begin(self) -> None:
        # what uvicorn's parser callbacks need; the ASGI scope is built only for the slow path
        self.url = b""
        self.headers = []
        self.expect_100_continue = False
        self._endpoint = None

    def on_headers_complete(self) -> None:
        path, _, query = self.url.partition(b"?")
        endpoint = self.routes.get(path)
        parser = self.parser
        if (
            endpoint is not None
            and parser.get_method() == b"POST"
            and not self.expect_100_continue
            and not parser.should_upgrade()
            and (self.cycle is None or self.cycle.response_complete)
        ):
            self._endpoint, self._query = endpoint, query
            self._chunks, self._size = [], 0
            self._keep_alive = parser.get_http_version() != "1.0" and parser.should_keep_alive()
            return
        url, headers = self.url, self.headers
        super().on_message_begin()  # builds the scope and a new header list
        self.url = url
        self.headers.extend(headers)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._endpoint is None:
            super().on_body(body)
            return
        self._size += len(body)
        if self._size <= MAX_BODY:
            self._chunks.append(body)

    def on_message_complete(self) -> None:
        endpoint = self._endpoint
        if endpoint is None:
            super().on_message_complete()
            return
        self._endpoint = None
        keep_alive = self._keep_alive
        if self._size > MAX_BODY:
            self._reply(TOO_LARGE, keep_alive=False)
            return
        client = self.client
        request = RawRequest(
            endpoint.path,
            self._query.decode("latin-1"),
            self.headers,
            b"".join(self._chunks),
            self.scheme or "http",
            client[0] if client else "?",
        )
        pending = _Pending(self, keep_alive)
        self.cycle = pending  # type: ignore[assignment]
        task = self.loop.create_task(endpoint.respond(request))
        self.tasks.add(cast("asyncio.Task[None]", task))  # a graceful shutdown waits for it
        task.add_done_callback(pending.done)

    def _reply(self, reply: Reply, keep_alive: bool) -> None:
        """Write the whole response at once, then do what uvicorn does after a response."""
        transport = self.transport
        if transport.is_closing():
            return
        status, body, media_type = reply
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += (name, b": ", value, b"\r\n")
        head.append(b"content-length: %d\r\n" % len(body))
        if media_type is not None:
            head += (b"content-type: ", media_type, b"\r\n")
        if not keep_alive:
            head.append(b"connection: close\r\n")
        head += (b"\r\n", body)
        transport.write(b"".join(head))
        if not keep_alive:
            transport.close()
        self.on_response_complete()


def _result(reply: asyncio.Future[Reply]) -> Reply:
    if reply.cancelled():
        return _FAILED
    error = reply.exception()
    if error is not None:
        log.error("a webhook failed", exc_info=error)
        return _FAILED
    return reply.result()
