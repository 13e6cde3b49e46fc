"""A scripted OpenAI-compatible server on 127.0.0.1, for tests and benchmarks that must not reach the network.

It speaks the real API shapes, so the real litellm client talks to it
(``model="openai/<name>"``, ``api_base=server.url``, any key). Each call takes
the next scripted :class:`Reply` (then ``default``), and every request is
recorded so tests can assert prompts, images and call counts::

    with ScriptedServer(latency_s=0.2) as server:
        server.script(rate_limited(retry_after=1), reply("ok"))
        ...  # litellm.completion(model="openai/x", api_base=server.url, api_key="k", ...)
        assert server.calls == 2

Routes: ``/v1/chat/completions``, ``/v1/images/generations`` and
``/v1/images/edits`` (multipart: its text fields are in ``request.json``, its
files in ``request.files``). They share the script, the faults and the
records; ``ScriptedServer.routes`` (path -> body builder) takes more.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers one call with: a chat reply, an HTTP error, a broken body, after a delay."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: bytes | None = None  # sent as it is instead of a chat completion (e.g. a malformed body)
    prompt_tokens: int | None = None  # default: counted from the request
    completion_tokens: int | None = None
    image: bytes | None = None  # for the image routes (default: a small PNG); any bytes, to script bad ones
    images: list[bytes] | None = None  # a chat reply's images (``message.images``, the Gemini/OpenRouter shape)


def reply(content: str, **kwargs: Any) -> Reply:
    """A valid chat completion whose message is ``content``."""
    return Reply(content=content, **kwargs)


def json_reply(obj: Any, style: str = "plain") -> Reply:
    """``obj`` as JSON, bare (``plain``), in a markdown code fence (``fenced``) or after prose (``prose``)."""
    text = json.dumps(obj, indent=1)
    if style == "fenced":
        text = f"```json\n{text}\n```"
    elif style == "prose":
        text = f"Here is my assessment of the images and the answer.\n\n{text}\n\nI hope this helps."
    elif style != "plain":
        raise ValueError(f"style must be plain, fenced or prose, not {style!r}")
    return Reply(content=text)


def rate_limited(retry_after: float = 1, header: str = "Retry-After") -> Reply:
    """HTTP 429 with a ``Retry-After`` (seconds) or ``retry-after-ms`` header."""
    value = str(int(retry_after * 1000)) if header.lower() == "retry-after-ms" else f"{retry_after:g}"
    return Reply(status=429, headers={header: value}, body=_error_body("Rate limit reached", "rate_limit_exceeded"))


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, body=_error_body("The server had an error", "server_error"))


def image_reply(content: str, *images: bytes) -> Reply:
    """A chat reply carrying ``content`` and images as data URIs in ``message.images`` (a unified model's shape)."""
    return Reply(content=content, images=list(images) or [small_png()])


def slow(content: str, delay_s: float) -> Reply:
    """A valid reply that arrives only after ``delay_s`` (past the client's timeout, in tests)."""
    return Reply(content=content, delay_s=delay_s)


def malformed_body() -> Reply:
    """HTTP 200 whose body is not JSON at all."""
    return Reply(body=b"{this is not json", headers={"Content-Type": "application/json"})


def _error_body(message: str, code: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": code, "code": code}}).encode()


@dataclass
class RecordedRequest:
    """One request as the server saw it (``json`` is the parsed body)."""

    path: str
    headers: dict[str, str]
    json: Any
    at: float
    files: dict[str, list[bytes]] = field(default_factory=dict)  # multipart uploads by field name

    @property
    def texts(self) -> list[str]:
        """Every text part of every message, in order."""
        return [text for _, text in self._parts("text")]

    @property
    def image_urls(self) -> list[str]:
        return [url for _, url in self._parts("image_url")]

    def _parts(self, kind: str) -> list[tuple[str, str]]:
        found = []
        for message in (self.json or {}).get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                if kind == "text":
                    found.append((message.get("role", ""), content))
                continue
            for part in content or []:
                if part.get("type") == kind == "text":
                    found.append((message.get("role", ""), part["text"]))
                elif part.get("type") == kind == "image_url":
                    url = part["image_url"]["url"] if isinstance(part["image_url"], dict) else part["image_url"]
                    found.append((message.get("role", ""), url))
        return found


Responder = Callable[[RecordedRequest], Reply]
BodyBuilder = Callable[[RecordedRequest, Reply], bytes]


class ScriptedServer:
    """A threaded HTTP server on an ephemeral loopback port; use as a context manager."""

    def __init__(self, default: Reply | Responder | None = None, latency_s: float = 0.0) -> None:
        self.default: Reply | Responder = default if default is not None else Reply(content="ok")
        self.latency_s = latency_s
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most calls the server was answering at once
        self.routes: dict[str, BodyBuilder] = {
            "/v1/chat/completions": chat_completion_body,
            "/v1/images/generations": image_body,
            "/v1/images/edits": image_body,
        }
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scripted-server", daemon=True)

    @property
    def url(self) -> str:
        """The ``api_base`` for litellm: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next calls, in order; after them the server answers with ``default``."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.max_in_flight = 0

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes handlers sleeping on a delay
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, request: RecordedRequest) -> tuple[Reply, bytes]:
        """Record the request, take the next reply and build the body to send."""
        path = request.path.split("?")[0].rstrip("/")
        build = self.routes.get(path) or self.routes.get("/v1" + path)
        if build is None:
            return Reply(status=404), _error_body(f"no route {request.path}", "not_found")
        with self._lock:
            self.requests.append(request)
        answer = self._next_reply(request)
        if answer.body is not None:
            return answer, answer.body
        if answer.status != 200:
            return answer, _error_body(f"HTTP {answer.status}", "error")
        return answer, build(request, answer)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            return scripted
        return self.default(request) if callable(self.default) else self.default

    def _track(self, step: int) -> None:
        with self._lock:
            self.in_flight += step
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._closing.wait(seconds)


def chat_completion_body(request: RecordedRequest, answer: Reply) -> bytes:
    """The JSON of an OpenAI chat completion carrying ``answer.content``."""
    prompt_tokens = answer.prompt_tokens
    if prompt_tokens is None:  # a stable stand-in for a tokenizer: words, plus 85 per image
        prompt_tokens = sum(len(t.split()) for t in request.texts) + 85 * len(request.image_urls)
    completion_tokens = answer.completion_tokens
    if completion_tokens is None:
        completion_tokens = len(answer.content.split())
    body = {
        "id": f"chatcmpl-{len(answer.content)}-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": (request.json or {}).get("model", "scripted"),
        "choices": [{"index": 0, "message": _message(answer), "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return json.dumps(body).encode()


def _message(answer: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.content}
    if answer.images:
        urls = [f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}" for data in answer.images]
        message["images"] = [{"type": "image_url", "image_url": {"url": url}} for url in urls]
    return message


def small_png(shade: int = 128, size: int = 8) -> bytes:
    """A real gray PNG (what the image routes send by default)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (size, size), shade).save(buf, format="PNG")
    return buf.getvalue()


def image_body(request: RecordedRequest, answer: Reply) -> bytes:
    """The JSON of an OpenAI images response: ``n`` images as base64 (``answer.image`` or a small PNG)."""
    fields = request.json or {}
    count = int(fields.get("n") or 1)
    data = answer.image if answer.image is not None else small_png()
    item = {"b64_json": base64.b64encode(data).decode("ascii"), "revised_prompt": fields.get("prompt")}
    return json.dumps({"created": int(time.time()), "data": [item] * count}).encode()


def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, list[bytes]]]:
    """Text fields and uploaded files of a multipart/form-data body."""
    message = BytesParser(policy=default_policy).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + raw
    )
    fields: dict[str, str] = {}
    files: dict[str, list[bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files.setdefault(name, []).append(payload)
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def _handler_class(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real APIs

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type", "")
            files: dict[str, list[bytes]] = {}
            if content_type.startswith("multipart/form-data"):
                parsed, files = parse_multipart(content_type, raw)
            else:
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
            request = RecordedRequest(self.path, dict(self.headers.items()), parsed, time.time(), files)
            answer, body = server._answer(request)
            server._track(+1)
            try:
                server._wait(server.latency_s + answer.delay_s)
                if not server._closing.is_set():
                    self._send(answer, body)
            finally:
                server._track(-1)

        def _send(self, answer: Reply, body: bytes) -> None:
            try:
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
            return  # quiet: tests read self.requests instead

    return Handler
