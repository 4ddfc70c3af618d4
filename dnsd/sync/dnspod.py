"""DNSPod (Tencent Cloud DNS, API 3.0, version 2021-03-23) as a :class:`Provider`.

The only module that imports the Tencent Cloud SDK. The SDK signs requests (TC3-HMAC-SHA256) and
decodes answers; pacing and retries are ours (:mod:`dnsd.sync.retry`): the client is built with
the SDK's ``NoopRetryer``, because its ``StandardRetryer`` (common 3.1.195) re-raises a stale
throttling error after a later success, which duplicates ``CreateRecord`` calls.

A write whose answer was lost (network error), or that was answered "rate limited", may have
happened. When its retry then meets the
consequence of its own first try, that is success: ``CreateRecord`` finding the record
(``InvalidParameter.DomainRecordExist``) looks the record up and returns its id;
``DeleteRecord`` finding no such record id is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.retry import NoopRetryer
from tencentcloud.dnspod.v20210323 import dnspod_client, models

from dnsd.sync.limits import FALLBACK_MIN_TTL, PlanLimits, limits_from_purview
from dnsd.sync.provider import ProviderError
from dnsd.sync.records import DEFAULT_LINE, RecordSpec, RemoteRecord
from dnsd.sync.retry import Retryable, RetryPolicy, Throttle, call_with_retry

log = logging.getLogger("dnsd.sync.dnspod")

PAGE_LIMIT = 3000  # the largest Limit DescribeRecordList and DescribeDomainList accept
THROTTLED = ("RequestLimitExceeded", "FailedOperation.FrequencyLimit")
NETWORK = ("ClientNetworkError", "ServerNetworkError")
RECORD_EXISTS = "InvalidParameter.DomainRecordExist"
NO_RECORDS = "ResourceNotFound.NoDataOfRecord"
NO_DOMAINS = "ResourceNotFound.NoDataOfDomain"
BAD_RECORD_ID = "InvalidParameter.RecordIdInvalid"


class _Attempt:
    """What earlier tries of one call saw: after a network error a write may have happened."""

    def __init__(self) -> None:
        self.uncertain = False


class DnspodProvider:
    """DNSPod through the official SDK, paced to ``rate`` calls per second."""

    name = "dnspod"

    def __init__(
        self,
        secret_id: str,
        secret_key: str,
        endpoint: str = "dnspod.tencentcloudapi.com",
        protocol: str = "https",
        rate: float = 10.0,
        retry: RetryPolicy | None = None,
        timeout: int = 30,
        page_size: int = PAGE_LIMIT,
    ) -> None:
        http = HttpProfile(protocol=protocol, endpoint=endpoint, reqTimeout=timeout)
        cred = credential.Credential(secret_id, secret_key)
        profile = ClientProfile(httpProfile=http, language="en-US", retryer=NoopRetryer())
        self._client = dnspod_client.DnspodClient(cred, "", profile)
        # DescribeDomainPurview names the limits in the request's language; the documentation
        # shows the Chinese names in full (``记录TTL最低``...), so that call is made in zh-CN.
        zh = ClientProfile(httpProfile=http, language="zh-CN", retryer=NoopRetryer())
        self._purview_client = dnspod_client.DnspodClient(cred, "", zh)
        self.endpoint = endpoint
        self.throttle = Throttle(rate)
        self.retry = retry or RetryPolicy()
        self.page_size = max(1, min(PAGE_LIMIT, page_size))
        self.grades: dict[str, str] = {}  # zone -> Grade, as DescribeDomainList last said

    def __repr__(self) -> str:
        return f"DnspodProvider(endpoint={self.endpoint!r})"  # never the credentials

    def close(self) -> None:
        for client in (self._client, self._purview_client):
            session = getattr(getattr(client.request, "conn", None), "_session", None)
            if session is not None:
                session.close()

    def _call(
        self,
        action: str,
        request: Any,
        recover: tuple[str, Callable[[], Any]] | None = None,
        client: Any = None,
    ) -> Any:
        """One API call with our pacing and retries.

        ``recover = (code, fn)``: when a retry after an uncertain try fails with ``code``, the first
        try did happen, and ``fn()`` gives the result instead.
        """
        seen = _Attempt()

        def attempt(number: int) -> Any:
            try:
                return getattr(client or self._client, action)(request)
            except TencentCloudSDKException as exc:
                error = ProviderError(
                    str(exc.code or "ClientError"), str(exc.message or ""), action, exc.requestId
                )
            if number > 0 and seen.uncertain and recover is not None and error.code == recover[0]:
                return recover[1]()
            if error.code in NETWORK or error.code.startswith(THROTTLED):
                # Either may have happened anyway: a lost answer, or a write DNSPod made and
                # still answered "rate limited". A retry that meets its effect is done.
                seen.uncertain = True
                raise Retryable(error)
            raise error

        return call_with_retry(attempt, self.retry, self.throttle, on_retry=_log_retry)

    def list_zones(self) -> set[str]:
        zones: set[str] = set()
        offset = 0
        while True:
            request = models.DescribeDomainListRequest()
            request.Offset, request.Limit = offset, PAGE_LIMIT
            try:
                response = self._call("DescribeDomainList", request)
            except ProviderError as exc:
                if exc.code == NO_DOMAINS:
                    return zones
                raise
            items = response.DomainList or []
            for item in items:
                name = (item.Punycode or item.Name).lower().rstrip(".")
                zones.add(name)
                self.grades[name] = str(item.Grade or "")
            offset += len(items)
            total = response.DomainCountInfo.DomainTotal if response.DomainCountInfo else offset
            if not items or offset >= total:
                return zones

    def plan_limits(self, zone: str) -> PlanLimits:
        """The plan's limits from DescribeDomainPurview, asked in Chinese (without it, when the
        call is not allowed to this key, the fallback TTL minimum of :mod:`dnsd.sync.limits`)."""
        grade = self.grades.get(zone, "")
        request = models.DescribeDomainPurviewRequest()
        request.Domain = zone
        try:
            response = self._call("DescribeDomainPurview", request, client=self._purview_client)
        except ProviderError as exc:
            if not exc.code.startswith(("UnauthorizedOperation", "AuthFailure.UnauthorizedOperation")):
                raise
            log.warning("%s: cannot read the %s plan's limits (%s); assuming a TTL minimum of %d s",
                        zone, grade or "DNSPod", exc, FALLBACK_MIN_TTL)  # fmt: skip
            return limits_from_purview(grade, ())
        items = response.PurviewList or []
        return limits_from_purview(grade, [(str(i.Name or ""), i.Value) for i in items])

    def list_records(self, zone: str) -> list[RemoteRecord]:
        records: list[RemoteRecord] = []
        while True:
            request = models.DescribeRecordListRequest()
            request.Domain, request.Offset, request.Limit = zone, len(records), self.page_size
            try:
                response = self._call("DescribeRecordList", request)
            except ProviderError as exc:
                if exc.code == NO_RECORDS:  # ErrorOnEmpty defaults to yes: an empty list is an error
                    return records
                raise
            items = response.RecordList or []
            records += [_remote(item) for item in items]
            total = response.RecordCountInfo.TotalCount if response.RecordCountInfo else len(records)
            if not items or len(records) >= total:
                return records

    def create_record(self, zone: str, spec: RecordSpec, remark: str) -> int:
        request = models.CreateRecordRequest()
        _fill(request, zone, spec, remark)

        def recover() -> models.CreateRecordResponse:
            found = self._find(zone, spec)
            if found is None:
                raise ProviderError(
                    RECORD_EXISTS, f"{spec.subdomain} {spec.rtype} exists otherwise", "CreateRecord"
                )
            response = models.CreateRecordResponse()
            response.RecordId = found.id
            return response

        return int(self._call("CreateRecord", request, (RECORD_EXISTS, recover)).RecordId)

    def modify_record(self, zone: str, record_id: int, spec: RecordSpec, remark: str) -> None:
        request = models.ModifyRecordRequest()
        _fill(request, zone, spec, remark)
        request.RecordId, request.Status = record_id, "ENABLE"
        self._call("ModifyRecord", request)

    def delete_record(self, zone: str, record_id: int) -> None:
        request = models.DeleteRecordRequest()
        request.Domain, request.RecordId = zone, record_id
        # A retry that finds the id gone means the first, unanswered try deleted it.
        self._call("DeleteRecord", request, (BAD_RECORD_ID, lambda: None))

    def _find(self, zone: str, spec: RecordSpec) -> RemoteRecord | None:
        """The record on ``spec``'s line holding its value, if any."""
        for record in self.list_records(zone):
            same_name = record.subdomain.lower() == spec.subdomain and record.rtype == spec.rtype
            if same_name and record.line == spec.line and record.key == spec.key:
                return record
        return None


def _fill(request: Any, zone: str, spec: RecordSpec, remark: str) -> None:
    """The fields CreateRecord and ModifyRecord share (note: ``SubDomain`` here, ``Subdomain`` in
    DescribeRecordList)."""
    request.Domain, request.SubDomain, request.RecordType = zone, spec.subdomain, spec.rtype
    request.RecordLine, request.Value, request.TTL = spec.line, spec.value, spec.ttl
    request.Remark = remark
    if spec.mx is not None:
        request.MX = spec.mx
    if spec.weight is not None:
        request.Weight = spec.weight


def _remote(item: Any) -> RemoteRecord:
    return RemoteRecord(
        id=int(item.RecordId),
        subdomain=str(item.Name),
        rtype=str(item.Type),
        value=str(item.Value),
        ttl=int(item.TTL or 0),
        mx=int(item.MX or 0),
        line=str(item.Line or DEFAULT_LINE),
        remark=str(item.Remark or ""),
        status=str(item.Status or "ENABLE"),
        default_ns=bool(item.DefaultNS),
        weight=int(item.Weight) if item.Weight else None,  # null, or 0 (off): no weight
    )


def _log_retry(attempt: int, error: Exception, pause: float) -> None:
    log.warning("%s; retry %d in %.2fs", error, attempt + 1, pause)
