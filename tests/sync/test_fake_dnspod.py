"""The fake DNSPod endpoint behaves as the API documents, as seen through the real SDK."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.retry import NoopRetryer, StandardRetryer
from tencentcloud.dnspod.v20210323 import dnspod_client, models

from tests.sync.conftest import SECRET_ID, SECRET_KEY, ZONE
from tests.sync.fake_dnspod import FakeDnspod


def sdk(fake: FakeDnspod, key: str = SECRET_KEY, secret_id: str = SECRET_ID, retryer: Any = None,
        language: str = "zh-CN") -> Any:  # fmt: skip
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=fake.endpoint),
                            retryer=retryer or NoopRetryer(), language=language)  # fmt: skip
    return dnspod_client.DnspodClient(credential.Credential(secret_id, key), "", profile)


def call(client: Any, action: str, **params: Any) -> Any:
    request = getattr(models, f"{action}Request")()
    for key, value in params.items():
        setattr(request, key, value)
    return getattr(client, action)(request)


def error_of(client: Any, action: str, **params: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        call(client, action, **params)
    return str(info.value.code)


def test_wrong_key_is_a_signature_failure(fake: FakeDnspod) -> None:
    assert error_of(sdk(fake, key="not-the-key"), "DescribeDomainList") == "AuthFailure.SignatureFailure"


def test_unknown_secret_id(fake: FakeDnspod) -> None:
    assert error_of(sdk(fake, secret_id="AKIDnobody"), "DescribeDomainList") == "AuthFailure.SecretIdNotFound"


def test_clock_skew_expires_the_signature(fake: FakeDnspod) -> None:
    fake.clock_offset = 301
    assert error_of(sdk(fake), "DescribeDomainList") == "AuthFailure.SignatureExpire"
    fake.clock_offset = 200
    assert call(sdk(fake), "DescribeDomainList").DomainCountInfo.DomainTotal == 1


def send_signed(fake: FakeDnspod, signed_host: str, sent_host: str) -> dict[str, Any]:
    """Sign DescribeDomainList with the SDK for ``signed_host``; send it with ``Host: sent_host``."""
    client = sdk(fake)
    client.profile.httpProfile.endpoint = signed_host
    request = RequestInternal(signed_host, "POST", "/", header={})
    client._build_req_with_tc3_signature("DescribeDomainList", {}, request)
    host, port = fake.endpoint.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", "/", body=request.data, headers=request.header | {"Host": sent_host})
        answer: dict[str, Any] = json.loads(conn.getresponse().read())["Response"]
    finally:
        conn.close()
    return answer


def test_the_signature_covers_the_host_header_with_its_port(fake: FakeDnspod) -> None:
    assert "DomainList" in send_signed(fake, fake.endpoint, fake.endpoint)
    without_port = fake.endpoint.split(":")[0]
    answer = send_signed(fake, fake.endpoint, without_port)
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure" and "RequestId" in answer


def test_every_domain_has_its_default_ns(fake: FakeDnspod) -> None:
    answer = call(sdk(fake), "DescribeRecordList", Domain=ZONE)
    assert [(r.Name, r.Type, r.DefaultNS, r.Line) for r in answer.RecordList] == [
        ("@", "NS", True, "默认")
    ] * 2
    assert answer.RecordCountInfo.TotalCount == 2 and answer.RecordCountInfo.SubdomainCount == 1


def test_empty_list_is_an_error_unless_error_on_empty_is_no(fake: FakeDnspod) -> None:
    client = sdk(fake)
    assert (
        error_of(client, "DescribeRecordList", Domain=ZONE, SubDomain="www")
        == "ResourceNotFound.NoDataOfRecord"
    )
    answer = call(client, "DescribeRecordList", Domain=ZONE, SubDomain="www", ErrorOnEmpty="no")
    assert answer.RecordList == [] and answer.RecordCountInfo.TotalCount == 0
    # the older spelling (deprecated in the SDK, still accepted by the API) filters the same way
    old = client.call_json("DescribeRecordList", {"Domain": ZONE, "Subdomain": "@", "ErrorOnEmpty": "no"})
    assert old["Response"]["RecordCountInfo"]["TotalCount"] == 2


def test_records_come_back_as_documented(fake: FakeDnspod) -> None:
    client = sdk(fake)
    created = call(client, "CreateRecord", Domain=ZONE, SubDomain="www", RecordType="CNAME",
                   RecordLine="默认", Value="web.example.net", TTL=300, Remark="hello")  # fmt: skip
    call(
        client, "CreateRecord", Domain=ZONE, RecordType="MX", RecordLine="默认", Value="mx.example.net", MX=10
    )
    answer = call(client, "DescribeRecordList", Domain=ZONE, RecordType="CNAME")
    (item,) = answer.RecordList
    assert (item.RecordId, item.Name, item.Value, item.TTL, item.Remark) == (
        created.RecordId, "www", "web.example.net.", 300, "hello",
    )  # fmt: skip
    (mx,) = call(client, "DescribeRecordList", Domain=ZONE, RecordType="MX").RecordList
    assert (mx.Name, mx.Value, mx.MX, mx.TTL) == ("@", "mx.example.net.", 10, 600)


def test_duplicates_unknown_domains_and_bad_ids_are_refused(fake: FakeDnspod) -> None:
    client = sdk(fake)
    params = {"Domain": ZONE, "SubDomain": "a", "RecordType": "A", "RecordLine": "默认", "Value": "192.0.2.1"}
    call(client, "CreateRecord", **params)
    assert error_of(client, "CreateRecord", **params) == "InvalidParameter.DomainRecordExist"
    assert (
        error_of(client, "CreateRecord", **(params | {"Domain": "nope.com"}))
        == "InvalidParameterValue.DomainNotExists"
    )
    assert (
        error_of(client, "DeleteRecord", Domain=ZONE, RecordId=999999) == "InvalidParameter.RecordIdInvalid"
    )
    assert (
        error_of(client, "CreateRecord", **(params | {"Value": "not-an-ip"}))
        == "InvalidParameter.RecordValueInvalid"
    )
    assert (
        error_of(client, "CreateRecord", **(params | {"RecordLine": "火星"}))
        == "InvalidParameter.RecordLineInvalid"
    )
    assert (
        error_of(client, "DescribeRecordList", Domain=ZONE, Limit=3001)
        == "InvalidParameterValue.LimitInvalid"
    )


def test_unknown_parameters_are_refused(fake: FakeDnspod) -> None:
    with pytest.raises(TencentCloudSDKException) as info:
        sdk(fake).call_json("DescribeRecordList", {"Domain": ZONE, "Subdomian": "www"})
    assert info.value.code == "UnknownParameter"


def test_paging(fake: FakeDnspod) -> None:
    client = sdk(fake)
    for i in range(5):
        call(client, "CreateRecord", Domain=ZONE, SubDomain=f"h{i}", RecordType="A", RecordLine="默认",
             Value=f"192.0.2.{i}")  # fmt: skip
    pages = [call(client, "DescribeRecordList", Domain=ZONE, Offset=o, Limit=3) for o in (0, 3, 6)]
    assert [p.RecordCountInfo.ListCount for p in pages] == [3, 3, 1]
    assert {p.RecordCountInfo.TotalCount for p in pages} == {7}
    assert [r.Name for p in pages for r in p.RecordList] == ["@", "@", "h0", "h1", "h2", "h3", "h4"]
    assert (
        error_of(client, "DescribeRecordList", Domain=ZONE, Offset=9, Limit=3)
        == "ResourceNotFound.NoDataOfRecord"
    )


def test_controls_throttle_fail_and_count(fake: FakeDnspod) -> None:
    client = sdk(fake)
    fake.throttle(1)
    assert error_of(client, "DescribeDomainList") == "RequestLimitExceeded"
    fake.fail("DescribeDomainList", nth=2, code="FailedOperation.FrequencyLimit")
    call(client, "DescribeDomainList")
    assert error_of(client, "DescribeDomainList") == "FailedOperation.FrequencyLimit"
    assert fake.calls["DescribeDomainList"] == 3


def test_sdk_standard_retryer_duplicates_a_throttled_create(fake: FakeDnspod) -> None:
    """Why dnsd retries on its own: common 3.1.195's StandardRetryer keeps the throttling error
    after the retry succeeded, sends CreateRecord a third time, and raises what that one gets."""
    client = sdk(fake, retryer=StandardRetryer(max_attempts=3, backoff_fn=lambda n: 0.0))
    fake.throttle(1)
    code = error_of(client, "CreateRecord", Domain=ZONE, SubDomain="d", RecordType="A", RecordLine="默认",
                    Value="192.0.2.9")  # fmt: skip
    assert fake.calls["CreateRecord"] == 3
    assert code == "InvalidParameter.DomainRecordExist"  # the record exists once, yet the call "failed"
    assert [r.name for r in fake.records(ZONE)] == ["d"]


def test_the_purview_is_named_as_documented_in_the_request_language(fake: FakeDnspod) -> None:
    """DescribeDomainPurview's example: Chinese names (zh-CN, the SDK's default) or the English
    page's names; the plan's 负载均衡数量 and 记录TTL最低 as digit strings."""
    fake.account.domains[ZONE].grade = "DP_FREE"
    zh = call(sdk(fake), "DescribeDomainPurview", Domain=ZONE).PurviewList
    names = [i.Name for i in zh]
    assert names[:3] == ["URL转发条数", "NS记录条数", "AAAA记录条数"] and len(names) == 15
    assert {i.Name: i.Value for i in zh}["记录TTL最低"] == "600"
    assert {i.Name: i.Value for i in zh}["负载均衡数量"] == "2"
    en = call(sdk(fake, language="en-US"), "DescribeDomainPurview", Domain=ZONE).PurviewList
    assert [i.Name for i in en][:3] == ["URL Forward", "NS record count", "AAAA record count"]
    assert {i.Name: i.Value for i in en}["max DNS balance count"] == "2"


def test_plan_limits_are_refused_with_the_documented_codes(fake: FakeDnspod) -> None:
    fake.account.domains[ZONE].grade = "DP_FREE"
    client = sdk(fake)
    base = {"Domain": ZONE, "SubDomain": "www", "RecordType": "A", "RecordLine": "默认"}
    assert (
        error_of(client, "CreateRecord", **base, Value="192.0.2.1", TTL=300) == "LimitExceeded.RecordTtlLimit"
    )
    call(client, "CreateRecord", **base, Value="192.0.2.1", TTL=600)
    call(client, "CreateRecord", **base, Value="192.0.2.2", TTL=600)
    assert (
        error_of(client, "CreateRecord", **base, Value="192.0.2.3", TTL=600)
        == "LimitExceeded.SubdomainRollLimit"
    )
    call(client, "CreateRecord", **base, Value="192.0.2.3", TTL=600, Status="DISABLE")  # not counted
    txt = {**base, "RecordType": "TXT", "Value": "x" * 513}
    assert error_of(client, "CreateRecord", **txt) == "InvalidParameter.RecordValueLengthInvalid"
