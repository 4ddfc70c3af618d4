"""The account behind the fake DNSPod API: domains, records and the five actions dnsd uses.

Field names, defaults, limits and error codes follow the DNSPod API 3.0 (2021-03-23) docs and
the SDK's models: answers carry exactly the fields the SDK's models know (it warns about any
other), values of CNAME/MX/NS/SRV come back with a trailing dot, every domain holds its two
``DefaultNS`` apex NS records, ``DescribeRecordList`` pages with Offset/Limit (at most 3000) and
answers an empty page with ``ResourceNotFound.NoDataOfRecord`` unless ``ErrorOnEmpty`` is "no".

Plans: every domain has a ``Grade`` (DescribeDomainList); ``DescribeDomainPurview`` lists the
plan's limits as ``PurviewInfo`` ``Name``/``Value`` strings named in the request's language
(``X-TC-Language``, zh-CN by default), with the names and order of the API documentation's example
(see :data:`PURVIEW`). CreateRecord/ModifyRecord enforce two of them with the documented codes: a
TTL under ``记录TTL最低`` is ``LimitExceeded.RecordTtlLimit``, and more enabled records of one name,
type and line than ``负载均衡数量`` is ``LimitExceeded.SubdomainRollLimit`` (a DISABLE record is
not counted: "也不会验证负载均衡的限制").

Lines (``RecordLine``, ``RecordLineId``): the fake knows the lines of :data:`LINES`, by name and
by id (``RecordLineId`` wins when both are given, as the CreateRecord docs say); an unknown one is
``InvalidParameter.RecordLineInvalid``. A record on another line of a name and type with no
default-line record is ``FailedOperation.MustAddDefaultLineFirst``. ``Weight`` is an integer
0-100 (``InvalidParameter.InvalidWeight`` otherwise); 0 switches the weight off, and a record
without one lists ``Weight`` null. ``RecordListItem`` carries the record's ``Line``, ``LineId``
and ``Weight``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_LINE = "默认"
# Line names and ids as DescribeRecordLineList lists them (the docs' example id is "10=1"); the
# basic lines every plan has.
LINES = {"默认": "0", "境内": "7=0", "境外": "3=0", "电信": "10=0", "联通": "10=1", "教育网": "10=2",
         "移动": "10=3"}  # fmt: skip
LINE_NAMES = {line_id: name for name, line_id in LINES.items()}
DEFAULT_NS = ("f1g1ns1.dnspod.net.", "f1g1ns2.dnspod.net.")
RECORD_TYPES = {
    "A",
    "AAAA",
    "CNAME",
    "MX",
    "TXT",
    "NS",
    "SRV",
    "CAA",
    "SPF",
    "HTTPS",
    "SVCB",
    "显性URL",
    "隐性URL",
}
HOST_TYPES = {"CNAME", "MX", "NS"}


@dataclass(frozen=True)
class Plan:
    """One DNSPod plan (``Grade``): its title, level, record TTL minimum and balance count."""

    title: str
    level: int
    min_ttl: int
    balance: int


# Grades and titles: the SDK models (DescribeRecordLineListRequest.DomainGrade: DP_FREE, DP_PLUS,
# DP_EXPERT, DP_ULTRA = 新免费、专业版、企业版、尊享版). GradeLevel 2 (DP_FREE) and 10 (DP_ULTRA) are
# the DescribeDomainList example's. DP_ULTRA takes the DescribeDomainPurview example's TTL minimum
# 1 and balance count 60 (the example does not name its plan); the free plan's 600 s is issue
# 11's. The documentation gives no per-grade table ("the minimum value varies by domain level"):
# the other figures are this fake's own, and tests that depend on them set them
# (``FakeDomain.min_ttl``/``balance``).
PLANS = {
    "DP_FREE": Plan("免费版", 2, 600, 2),
    "DP_PLUS": Plan("专业版", 3, 120, 10),
    "DP_EXPERT": Plan("企业版", 4, 60, 20),
    "DP_ULTRA": Plan("尊享版", 10, 1, 60),
}
TTL_PURVIEW, BALANCE_PURVIEW = "记录TTL最低", "负载均衡数量"
# DescribeDomainPurview's example, in order: (zh-CN name, en-US name, value). The English page
# names the entries up to "max DNS balance count"; for the later ones (the TTL minimum among them)
# the stored documentation shows no English name, so the fake keeps the Chinese one in en-US too.
PURVIEW = (
    ("URL转发条数", "URL Forward", "10"),
    ("NS记录条数", "NS record count", "1999"),
    ("AAAA记录条数", "AAAA record count", "1999"),
    ("SRV记录条数", "SRV record count", "1999"),
    ("域名别名绑定个数", "domain alias count", "10"),
    ("域名锁定天数", "max domain lock days", "365"),
    ("域名共享个数", "max domain share count", "1000"),
    ("子域名级数", "max sub domain level", "12"),
    ("泛解析级数", "max Spread Record level", "10"),
    (BALANCE_PURVIEW, "max DNS balance count", "{balance}"),
    (TTL_PURVIEW, TTL_PURVIEW, "{min_ttl}"),
    ("混合泛解析支持", "混合泛解析支持", "yes"),
    ("增强线路类型", "增强线路类型", "yes"),
    ("分省线路类型", "分省线路类型", "yes"),
    ("分大洲线路类型", "分大洲线路类型", "yes"),
)
LANGUAGES = ("zh-CN", "en-US")
MAX_LIMIT = 3000
TXT_MAX = 512  # not in the documentation: an assumption (InvalidParameter.RecordValueLengthInvalid is)
_LABEL = re.compile(r"^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$")

PARAMS = {
    "DescribeDomainList": {"Type", "Offset", "Limit", "GroupId", "Keyword", "Tags"},
    "DescribeRecordList": {
        "Domain", "DomainId", "Subdomain", "RecordType", "RecordLine", "RecordLineId", "GroupId",
        "Keyword", "SortField", "SortType", "Offset", "Limit", "ErrorOnEmpty", "SubDomain",
    },
    "CreateRecord": {
        "Domain", "RecordType", "RecordLine", "Value", "DomainId", "SubDomain", "RecordLineId", "MX",
        "TTL", "Weight", "Status", "Remark", "DnssecConflictMode", "GroupId",
    },
    "ModifyRecord": {
        "Domain", "RecordType", "RecordLine", "Value", "RecordId", "DomainId", "SubDomain",
        "RecordLineId", "MX", "TTL", "Weight", "Status", "Remark", "DnssecConflictMode",
    },
    "DeleteRecord": {"Domain", "RecordId", "DomainId"},
    "DescribeDomainPurview": {"Domain", "DomainId"},
}  # fmt: skip
INTEGERS = {"Offset", "Limit", "GroupId", "DomainId", "MX", "TTL", "Weight", "RecordId"}


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class FakeRecord:
    record_id: int
    name: str
    type: str
    value: str
    ttl: int = 600
    mx: int = 0
    line: str = DEFAULT_LINE
    remark: str = ""
    status: str = "ENABLE"
    default_ns: bool = False
    updated_on: str = field(default_factory=_now)
    weight: int | None = None

    def item(self) -> dict[str, Any]:
        """A ``RecordListItem`` with exactly its documented fields."""
        return {
            "RecordId": self.record_id, "Value": self.value, "Status": self.status,
            "UpdatedOn": self.updated_on, "Name": self.name, "Line": self.line,
            "LineId": LINES[self.line], "Type": self.type, "Weight": self.weight,
            "MonitorStatus": "", "Remark": self.remark, "TTL": self.ttl, "MX": self.mx,
            "DefaultNS": self.default_ns,
        }  # fmt: skip


@dataclass
class FakeDomain:
    domain_id: int
    name: str
    records: dict[int, FakeRecord] = field(default_factory=dict)
    created_on: str = field(default_factory=_now)
    grade: str = "DP_FREE"
    balance: int | None = None  # overrides the plan's balance count (负载均衡数量)
    min_ttl: int | None = None  # overrides the plan's TTL minimum (记录TTL最低)

    @property
    def plan(self) -> Plan:
        plan = PLANS[self.grade]
        plan = plan if self.balance is None else replace(plan, balance=self.balance)
        return plan if self.min_ttl is None else replace(plan, min_ttl=self.min_ttl)

    def purview(self, language: str = "zh-CN") -> list[dict[str, str]]:
        """``PurviewInfo`` items as DescribeDomainPurview lists them, named in ``language``."""
        values = {"balance": self.plan.balance, "min_ttl": self.plan.min_ttl}
        english = language == "en-US"
        return [{"Name": en if english else zh, "Value": value.format(**values)} for zh, en, value in PURVIEW]

    def item(self) -> dict[str, Any]:
        """A ``DomainListItem`` with exactly its documented fields."""
        return {
            "DomainId": self.domain_id, "Name": self.name, "Status": "ENABLE", "TTL": 600,
            "CNAMESpeedup": "DISABLE", "DNSStatus": "", "Grade": self.grade, "GroupId": 1,
            "SearchEnginePush": "NO", "Remark": "", "Punycode": self.name,
            "EffectiveDNS": [ns.rstrip(".") for ns in DEFAULT_NS], "GradeLevel": self.plan.level,
            "GradeTitle": self.plan.title,
            "IsVip": "NO", "VipStartAt": "0000-00-00 00:00:00", "VipEndAt": "0000-00-00 00:00:00",
            "VipAutoRenew": "DEFAULT", "RecordCount": len(self.records), "CreatedOn": self.created_on,
            "UpdatedOn": self.created_on, "Owner": "owner@example.com", "TagList": [],
        }  # fmt: skip


def _stored_value(rtype: str, value: str) -> str:
    """DNSPod keeps host names absolute: it answers ``mx.example.com.``."""
    value = value.strip()
    if rtype in HOST_TYPES and not value.endswith("."):
        return value + "."
    if rtype == "SRV":
        parts = value.split()
        if len(parts) == 4 and not parts[3].endswith("."):
            return " ".join([*parts[:3], parts[3] + "."])
    return value


def _same_value(rtype: str, a: str, b: str) -> bool:
    if rtype in HOST_TYPES or rtype == "SRV":
        return a.lower().rstrip(".") == b.lower().rstrip(".")
    return a == b


def _check_value(rtype: str, value: str) -> None:
    ok = bool(value)
    if rtype in ("A", "AAAA"):
        try:
            ok = ipaddress.ip_address(value).version == (4 if rtype == "A" else 6)
        except ValueError:
            ok = False
    elif rtype in HOST_TYPES:
        ok = all(_LABEL.match(label) for label in value.lower().rstrip(".").split("."))
    elif rtype == "TXT" and len(value) > TXT_MAX:
        raise ApiError("InvalidParameter.RecordValueLengthInvalid", f"The TXT value exceeds {TXT_MAX}.")
    if not ok:
        raise ApiError("InvalidParameter.RecordValueInvalid", f"The record value {value!r} is invalid.")


def _check_subdomain(sub: str) -> None:
    if sub != "@" and not all(_LABEL.match(label) for label in sub.lower().split(".")):
        raise ApiError("InvalidParameter.SubdomainInvalid", f"The subdomain {sub!r} is invalid.")


class FakeAccount:
    """Domains and records of one account; each action runs under one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.domains: dict[str, FakeDomain] = {}
        self._ids = 1000
        self.language = "zh-CN"  # the current request's X-TC-Language

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_domain(self, name: str, default_ns: bool = True, grade: str = "DP_FREE") -> FakeDomain:
        with self.lock:
            domain = FakeDomain(self.next_id(), name.lower().rstrip("."), grade=grade)
            for ns in DEFAULT_NS if default_ns else ():
                rid = self.next_id()
                domain.records[rid] = FakeRecord(rid, "@", "NS", ns, ttl=86400, default_ns=True)
            self.domains[domain.name] = domain
            return domain

    def run(self, action: str, params: dict[str, Any], language: str = "zh-CN") -> dict[str, Any]:
        unknown = sorted(set(params) - PARAMS[action])
        if unknown:
            raise ApiError("UnknownParameter", f"The parameter `{unknown[0]}` is not recognized.")
        for name in INTEGERS & set(params):
            if params[name] is not None and not isinstance(params[name], int):
                raise ApiError("InvalidParameter", f"The value of parameter `{name}` must be an integer.")
        with self.lock:
            self.language = language
            handler = getattr(self, "do_" + re.sub(r"(?<!^)([A-Z])", r"_\1", action).lower())
            result: dict[str, Any] = handler(params)
            return result

    def domain(self, params: dict[str, Any]) -> FakeDomain:
        if params.get("DomainId") is not None:
            found = [d for d in self.domains.values() if d.domain_id == params["DomainId"]]
        else:
            if not params.get("Domain"):
                raise ApiError("MissingParameter", "The request is missing a required parameter `Domain`.")
            found = [d for d in self.domains.values() if d.name == str(params["Domain"]).lower().rstrip(".")]
        if not found:
            raise ApiError("InvalidParameterValue.DomainNotExists", "The domain does not exist.")
        return found[0]

    def do_describe_domain_list(self, p: dict[str, Any]) -> dict[str, Any]:
        offset, limit = p.get("Offset") or 0, p.get("Limit") or MAX_LIMIT
        if limit > MAX_LIMIT or limit < 1:
            raise ApiError("InvalidParameterValue.LimitInvalid", "The limit is invalid.")
        matched = [d for d in sorted(self.domains.values(), key=lambda d: d.domain_id)
                   if not p.get("Keyword") or p["Keyword"] in d.name]  # fmt: skip
        page = matched[offset : offset + limit]
        if not page:
            raise ApiError("ResourceNotFound.NoDataOfDomain", "The domain list is empty.")
        counts = dict.fromkeys(
            ("ShareTotal", "VipTotal", "PauseTotal", "ErrorTotal", "LockTotal", "SpamTotal", "VipExpire",
             "ShareOutTotal", "GroupTotal"), 0)  # fmt: skip
        total = len(self.domains)
        info = {"DomainTotal": len(matched), "AllTotal": total, "MineTotal": total, **counts}
        return {"DomainCountInfo": info, "DomainList": [d.item() for d in page]}

    def do_describe_domain_purview(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"PurviewList": self.domain(p).purview(self.language)}

    def do_describe_record_list(self, p: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(p)
        offset, limit = p.get("Offset") or 0, p.get("Limit") or 100
        if limit > MAX_LIMIT or limit < 1:
            raise ApiError("InvalidParameterValue.LimitInvalid", "The limit is invalid.")
        if offset < 0:
            raise ApiError("InvalidParameter.OffsetInvalid", "The offset is invalid.")
        sub = p.get("SubDomain") or p.get("Subdomain")
        matched = [
            r for r in sorted(domain.records.values(), key=lambda r: r.record_id)
            if (not sub or r.name.lower() == str(sub).lower())
            and (not p.get("RecordType") or r.type == p["RecordType"])
            and (not p.get("RecordLine") or r.line == p["RecordLine"])
            and (not p.get("Keyword") or p["Keyword"] in r.name or p["Keyword"] in r.value)
        ]  # fmt: skip
        if p.get("SortType") == "DESC":
            matched.reverse()
        page = matched[offset : offset + limit]
        if not page and p.get("ErrorOnEmpty", "yes") != "no":
            raise ApiError("ResourceNotFound.NoDataOfRecord", "The record list is empty.")
        info = {
            "SubdomainCount": len({r.name for r in matched}),
            "ListCount": len(page),
            "TotalCount": len(matched),
        }
        return {"RecordCountInfo": info, "RecordList": [r.item() for r in page]}

    def _record_from(self, p: dict[str, Any], base: FakeRecord, plan: Plan) -> FakeRecord:
        """Validate the fields CreateRecord and ModifyRecord share and apply them to ``base``."""
        for name in ("RecordType", "RecordLine", "Value"):
            if p.get(name) in (None, "") and not (name == "RecordLine" and p.get("RecordLineId")):
                raise ApiError("MissingParameter", f"The request is missing a required parameter `{name}`.")
        rtype, sub = p["RecordType"], p.get("SubDomain") or "@"
        if rtype not in RECORD_TYPES:
            raise ApiError("InvalidParameter.RecordTypeInvalid", f"The record type {rtype!r} is invalid.")
        line = LINE_NAMES.get(p["RecordLineId"]) if p.get("RecordLineId") else p.get("RecordLine")
        if line not in LINES:
            raise ApiError("InvalidParameter.RecordLineInvalid", "The record line is invalid.")
        weight = p.get("Weight") if "Weight" in p and p["Weight"] is not None else base.weight
        if weight is not None and not 0 <= weight <= 100:
            raise ApiError("InvalidParameter.InvalidWeight", "The weight is invalid (0-100).")
        _check_subdomain(sub)
        _check_value(rtype, str(p["Value"]).strip())
        if rtype == "MX" and not (isinstance(p.get("MX"), int) and 0 <= p["MX"] <= 65535):
            raise ApiError("InvalidParameter.MxInvalid", "The MX priority is invalid.")
        ttl = p.get("TTL") if p.get("TTL") is not None else base.ttl
        if not max(1, plan.min_ttl) <= ttl <= 604800:
            raise ApiError("LimitExceeded.RecordTtlLimit", "The TTL of the record exceeds the limit.")
        remark = p["Remark"] if p.get("Remark") is not None else base.remark
        if len(remark) > 200:
            raise ApiError(
                "InvalidParameter.RemarkTooLong", "The remark is too long (200 characters at most)."
            )
        status = p.get("Status") or base.status
        return replace(base, name=sub, type=rtype, value=_stored_value(rtype, p["Value"]), ttl=ttl,
                       mx=int(p.get("MX") or 0) if rtype == "MX" else 0, remark=remark, status=status,
                       updated_on=_now(), line=line, weight=weight or None)  # fmt: skip

    def _refuse_without_default_line(self, domain: FakeDomain, record: FakeRecord) -> None:
        if record.line == DEFAULT_LINE:
            return
        if not any(o.name.lower() == record.name.lower() and o.type == record.type and o.line == DEFAULT_LINE
                   for o in domain.records.values() if o.record_id != record.record_id):  # fmt: skip
            raise ApiError(
                "FailedOperation.MustAddDefaultLineFirst", "Add a record on the default line first."
            )

    def _refuse_duplicate(self, domain: FakeDomain, record: FakeRecord) -> None:
        for other in domain.records.values():
            if (other.record_id != record.record_id and other.name.lower() == record.name.lower()
                    and other.type == record.type and other.line == record.line
                    and _same_value(record.type, other.value, record.value)):  # fmt: skip
                raise ApiError("InvalidParameter.DomainRecordExist", "The record already exists.")

    def _refuse_over_balance(self, domain: FakeDomain, record: FakeRecord) -> None:
        same = [o for o in domain.records.values() if o.record_id != record.record_id
                and o.name.lower() == record.name.lower() and o.type == record.type
                and o.line == record.line and o.status == "ENABLE"]  # fmt: skip
        if record.status == "ENABLE" and len(same) >= domain.plan.balance:
            raise ApiError("LimitExceeded.SubdomainRollLimit", "The number of records of the subdomain"
                           " exceeds the limit of the domain's plan.")  # fmt: skip

    def do_create_record(self, p: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(p)
        record = self._record_from(p, FakeRecord(self.next_id(), "@", "A", ""), domain.plan)
        self._refuse_without_default_line(domain, record)
        self._refuse_duplicate(domain, record)
        self._refuse_over_balance(domain, record)
        domain.records[record.record_id] = record
        return {"RecordId": record.record_id}

    def _existing(self, domain: FakeDomain, p: dict[str, Any]) -> FakeRecord:
        record = domain.records.get(p.get("RecordId") or -1)
        if record is None:
            raise ApiError("InvalidParameter.RecordIdInvalid", "The record ID is invalid.")
        return record

    def do_modify_record(self, p: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(p)
        record = self._record_from(p, self._existing(domain, p), domain.plan)
        self._refuse_without_default_line(domain, record)
        self._refuse_duplicate(domain, record)
        self._refuse_over_balance(domain, record)
        domain.records[record.record_id] = record
        return {"RecordId": record.record_id}

    def do_delete_record(self, p: dict[str, Any]) -> dict[str, Any]:
        domain = self.domain(p)
        del domain.records[self._existing(domain, p).record_id]
        return {}
