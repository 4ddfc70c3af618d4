"""A local fake of the DNSPod API 3.0 endpoint, for the real Tencent Cloud SDK to talk to.

A real HTTP server on ``127.0.0.1:0`` that does what ``dnspod.tencentcloudapi.com`` documents:
requests are ``POST /`` with a JSON body and the ``X-TC-Action``/``X-TC-Version``/``X-TC-Timestamp``
headers, signed with TC3-HMAC-SHA256 (service ``dnspod``; ``content-type;host`` signed, the host
header including the port). A timestamp more than five minutes off gives
``AuthFailure.SignatureExpire``, an unknown key ``AuthFailure.SecretIdNotFound``, a wrong signature
``AuthFailure.SignatureFailure``. Every answer is HTTP 200 ``application/json``:
``{"Response": {..., "RequestId"}}`` or ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``.
``X-TC-Language`` (zh-CN, the default, or en-US) picks the language of DescribeDomainPurview's names.

Controls for tests: :meth:`FakeDnspod.throttle` (the next N calls get ``RequestLimitExceeded``),
:meth:`FakeDnspod.fail` (the nth next call of an action fails, optionally after it took effect
or by dropping the connection), ``calls`` (requests per action), ``clock_offset`` (the server's
clock skew), and console-style edits through ``account``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.sync.fake_dnspod_account import LANGUAGES, PARAMS, ApiError, FakeAccount, FakeDomain, FakeRecord

API_VERSION = "2021-03-23"
SERVICE = "dnspod"
MAX_SKEW = 300
_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)/tc3_request,"
    r" SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


@dataclass
class Failure:
    action: str
    call: int  # the value of calls[action] at which to fail
    code: str
    message: str
    execute: bool  # let the call take effect first (its answer is then lost)
    drop: bool  # close the connection instead of answering


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """The TC3-HMAC-SHA256 signature, computed the way the API documentation describes."""
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class FakeDnspod:
    """The fake endpoint. Use as a context manager; ``endpoint`` is ``127.0.0.1:<port>``."""

    def __init__(self, secret_id: str = "AKIDfakefakefake", secret_key: str = "fake-secret-key") -> None:
        self.keys = {secret_id: secret_key}
        self.account = FakeAccount()
        self.calls: Counter[str] = Counter()
        self.clock_offset = 0.0
        self._throttle = 0
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-dnspod", daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeDnspod:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    # --- controls -----------------------------------------------------------------------------
    def add_domain(self, name: str, default_ns: bool = True, grade: str = "DP_FREE") -> FakeDomain:
        """A domain on plan ``grade`` (see ``PLANS``); the free plan's TTL minimum is 600 s."""
        return self.account.add_domain(name, default_ns, grade)

    def add_record(self, domain: str, sub: str, rtype: str, value: str, **fields: Any) -> FakeRecord:
        """A record made by hand in the console (not an API call, not counted)."""
        params = {
            "Domain": domain,
            "SubDomain": sub,
            "RecordType": rtype,
            "RecordLine": "默认",
            "Value": value,
        }
        params.update(fields)
        rid = self.account.run("CreateRecord", params)["RecordId"]
        return self.account.domains[domain].records[rid]

    def edit_record(self, domain: str, record_id: int, **changes: Any) -> None:
        """Change a record by hand in the console."""
        with self.account.lock:
            record = self.account.domains[domain].records[record_id]
            for key, value in changes.items():
                setattr(record, key, value)

    def records(self, domain: str, default_ns: bool = False) -> list[FakeRecord]:
        with self.account.lock:
            found = self.account.domains[domain].records.values()
            return sorted((r for r in found if default_ns or not r.default_ns), key=lambda r: r.record_id)

    def throttle(self, count: int) -> None:
        """Answer the next ``count`` calls (any action) with ``RequestLimitExceeded``."""
        with self._lock:
            self._throttle = count

    def fail(self, action: str, nth: int = 1, code: str = "InternalError", message: str = "Internal error.",
             execute: bool = False, drop: bool = False) -> None:  # fmt: skip
        """Make the ``nth`` next call of ``action`` fail with ``code`` (or a dropped connection)."""
        with self._lock:
            self._failures.append(Failure(action, self.calls[action] + nth, code, message, execute, drop))

    # --- request handling ---------------------------------------------------------------------
    def authenticate(self, headers: Any, body: bytes) -> None:
        match = _AUTH.match(headers.get("Authorization", ""))
        if match is None:
            raise ApiError("AuthFailure.InvalidAuthorization", "The Authorization header is invalid.")
        try:
            timestamp = int(headers.get("X-TC-Timestamp", ""))
        except ValueError:
            raise ApiError("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing.") from None
        if abs(time.time() + self.clock_offset - timestamp) > MAX_SKEW:
            raise ApiError("AuthFailure.SignatureExpire", "The signature expired: the timestamp is more than"
                           " five minutes off the server time.")  # fmt: skip
        secret = self.keys.get(match["id"])
        if secret is None:
            raise ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
        expected = tc3_signature(secret, date, SERVICE, _string_to_sign(headers, body, match["signed"], date))
        if (
            match["service"] != SERVICE
            or match["date"] != date
            or not hmac.compare_digest(expected, match["sig"])
        ):
            raise ApiError("AuthFailure.SignatureFailure", "The provided credentials could not be validated."
                           " Please check your signature is correct.")  # fmt: skip

    def gate(self, action: str) -> Failure | None:
        """Count the call; raise a throttling error or return a planned failure, if any."""
        with self._lock:
            self.calls[action] += 1
            if self._throttle > 0:
                self._throttle -= 1
                raise ApiError("RequestLimitExceeded", "Your requests exceed the frequency limit.")
            for failure in self._failures:
                if failure.action == action and failure.call == self.calls[action]:
                    self._failures.remove(failure)
                    return failure
            return None


def _string_to_sign(headers: Any, body: bytes, signed: str, date: str) -> str:
    names = signed.split(";")
    canonical_headers = "".join(f"{n}:{str(headers.get(n, '')).strip().lower()}\n" for n in names)
    payload = b"UNSIGNED-PAYLOAD" if headers.get("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD" else body
    request = "\n".join(["POST", "/", "", canonical_headers, signed, hashlib.sha256(payload).hexdigest()])
    digest = hashlib.sha256(request.encode("utf-8")).hexdigest()
    return "\n".join(
        ["TC3-HMAC-SHA256", headers.get("X-TC-Timestamp", ""), f"{date}/{SERVICE}/tc3_request", digest]
    )


def _handler_for(fake: FakeDnspod) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests read the calls counter, not a log

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            action = self.headers.get("X-TC-Action", "")
            try:
                result = self._handle(action, body)
            except ApiError as exc:
                result = {"Error": {"Code": exc.code, "Message": exc.message}}
            if result is not None:
                self._answer(result)

        def _handle(self, action: str, body: bytes) -> dict[str, Any] | None:
            fake.authenticate(self.headers, body)
            if self.headers.get("X-TC-Version") != API_VERSION:
                raise ApiError("NoSuchVersion", "The API version does not exist.")
            if action not in PARAMS:
                raise ApiError("InvalidAction", f"The action {action!r} does not exist.")
            if self.headers.get("Content-Type") != "application/json":
                raise ApiError("InvalidParameter", "The Content-Type must be application/json.")
            language = self.headers.get("X-TC-Language")  # the SDK sends zh-CN or en-US only
            language = language if language in LANGUAGES else "zh-CN"
            params = json.loads(body or b"{}")
            failure = fake.gate(action)
            if failure is not None and not failure.execute:
                return self._fail(failure)
            result = fake.account.run(action, params, language)
            return self._fail(failure) if failure is not None else result

        def _fail(self, failure: Failure) -> None:
            if failure.drop:
                self.close_connection = True
                return None
            raise ApiError(failure.code, failure.message)

        def _answer(self, result: dict[str, Any]) -> None:
            data = json.dumps({"Response": {**result, "RequestId": str(uuid.uuid4())}}, ensure_ascii=False)
            raw = data.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler
