"""A :class:`~dnsd.k8s.sinks.RecordSink` over dnsd's HTTP API (``dnsd k8s apply --server``).

Uses the documented contract only: ``GET /zones``, ``GET /records?name=|owner=``,
``POST /records`` (idempotent put; 409 names the holder), ``DELETE /records/{id}``.
HTTP errors become the same domain errors the store raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from dnsd.domain.errors import Conflict, DnsdError, InvalidInput, NotFound, Reason
from dnsd.domain.k8s import PoolMapping, make_entry
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset
from dnsd.k8s.plan import Scope

PAGE = 500


class ApiError(DnsdError):
    """The dnsd API refused the request for a reason that is not about one record."""


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail")
    except ValueError:
        return response.text


def raise_for(response: httpx.Response) -> None:
    """Map an error response to the domain error the store would have raised."""
    if response.is_success:
        return
    detail = _detail(response)
    if response.status_code == 409:
        holder = detail.get("holder") if isinstance(detail, dict) else None
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        raise Conflict(str(message), holder=holder)
    if response.status_code == 422 and isinstance(detail, list):
        reasons = [
            Reason(".".join(str(p) for p in d.get("loc", [])[1:]) or "body", d.get("msg", "")) for d in detail
        ]
        raise InvalidInput(reasons)
    if response.status_code == 404:
        raise NotFound("resource", str(detail))
    raise ApiError(
        f"{response.request.method} {response.request.url.path}: HTTP {response.status_code}: {detail}"
    )


def rrset_from_json(item: dict[str, Any]) -> RRset:
    """An API record as an RRset (values best-effort: only pool records are ever compared)."""
    values = []
    if item.get("pool") is None:
        for text in item.get("values") or []:
            try:
                values.append(parse_rdata(item["type"], str(text)))
            except ValueError:
                continue
    return RRset(
        name=item["name"], rtype=item["type"], ttl=int(item["ttl"]), values=tuple(values),
        pool=item.get("pool"), owner=item.get("owner", ""), zone=item.get("zone", ""), id=item.get("id"),
    )  # fmt: skip


class HttpSink:
    def __init__(self, base_url: str, token: str | None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self.client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ApiError(f"dnsd API at {self.client.base_url} unreachable: {exc}") from exc
        raise_for(response)
        return response.json()

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self._get(path, {**params, "limit": PAGE, "offset": offset})
            items = body if isinstance(body, list) else body.get("items", [])
            yield from items
            offset += len(items)
            if isinstance(body, list) or not items or offset >= int(body.get("total", offset)):
                return

    def zones(self) -> list[str]:
        return [z["name"] for z in self._pages("/zones", {})]

    def managed(self, scope: Scope) -> list[RRset]:
        items: Iterable[dict[str, Any]]
        if scope.owners is not None:
            items = (i for owner in sorted(scope.owners) for i in self._pages("/records", {"owner": owner}))
        else:
            items = self._pages("/records", {})
        return [r for r in map(rrset_from_json, items) if scope.contains(r.owner)]

    def at_names(self, names: Iterable[str]) -> list[RRset]:
        return [
            rrset_from_json(i) for name in sorted(set(names)) for i in self._pages("/records", {"name": name})
        ]

    def put(self, rrset: RRset) -> bool:
        body = {"name": rrset.name, "type": rrset.rtype, "ttl": rrset.ttl, "owner": rrset.owner}
        body |= {"pool": rrset.pool} if rrset.pool else {"values": rrset.value_texts()}
        try:
            response = self.client.post("/records", json=body)
        except httpx.HTTPError as exc:
            raise ApiError(f"dnsd API at {self.client.base_url} unreachable: {exc}") from exc
        raise_for(response)
        return bool(response.json().get("changed", response.status_code == 201))

    def delete(self, rrset: RRset) -> None:
        try:
            response = self.client.delete(f"/records/{rrset.id}", params={"owner": rrset.owner})
        except httpx.HTTPError as exc:
            raise ApiError(f"dnsd API at {self.client.base_url} unreachable: {exc}") from exc
        if response.status_code != 404:
            raise_for(response)

    def pool_mapping(self) -> PoolMapping:
        """The remote dnsd's stored mapping (``GET /k8s/mappings``)."""
        try:
            body = self._get("/k8s/mappings")
        except NotFound:
            raise ApiError(
                f"the dnsd at {self.client.base_url} serves no /k8s/mappings; pass --mapping FILE"
            ) from None
        items = body if isinstance(body, list) else body.get("items", [])
        return PoolMapping.of(make_entry(i["kind"], i.get("key", ""), i["pool"]) for i in items)
