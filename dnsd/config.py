"""Settings: one pydantic-settings class (``DNSD_`` prefix), built once and passed down."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dnsd.domain.zones import SerialPolicy


class Settings(BaseSettings):
    """Every knob dnsd has. Environment ``DNSD_<FIELD>`` sets a field; CLI flags mirror them."""

    model_config = SettingsConfigDict(env_prefix="DNSD_", extra="ignore")

    database_url: str = Field("sqlite:///./dnsd.db", description="SQLAlchemy URL of the store")
    db_connect_timeout: float = Field(
        3.0, ge=0, description="seconds to connect to PostgreSQL before answering 503 (0: no limit)"
    )
    db_statement_timeout: float = Field(
        5.0, ge=0, description="seconds a PostgreSQL statement (lock waits included) may run (0: no limit)"
    )
    api_host: str = Field("127.0.0.1", description="address the HTTP API listens on")
    api_port: int = Field(8080, description="port of the HTTP API")
    dns_host: str = Field("127.0.0.1,::1", description="addresses the DNS server listens on, comma-separated")
    dns_port: int = Field(53, description="UDP and TCP port of the DNS server (0: any free port)")
    dns_workers: int = Field(1, description="DNS processes sharing the port with SO_REUSEPORT")
    auth_disabled: bool = Field(False, description="dev mode: no API tokens (local demo only)")
    ttl_floor: int = Field(0, description="smallest TTL the API accepts")
    ttl_ceiling: int = Field(86400 * 7, description="largest TTL the API accepts")
    serial_policy: SerialPolicy = Field(
        "date", description="how a change picks a zone's next serial: date (YYYYMMDDnn), unixtime, increment"
    )
    feed_poll_interval: float = Field(0.1, description="seconds between change-feed polls")
    tcp_idle_timeout: float = Field(10.0, description="seconds a TCP connection may sit idle")
    tcp_max_connections: int = Field(1024, description="concurrent TCP connections, all clients")
    tcp_max_per_client: int = Field(64, description="concurrent TCP connections per client address")
    response_cache_size: int = Field(100_000, description="finished responses kept per snapshot")
    version_bind: str | None = Field(None, description="answer to CH TXT version.bind (None: REFUSED)")
    server_id: str | None = Field(None, description="answer to CH TXT id.server (None: REFUSED)")
    instance_id: str = Field("default", description="names this dnsd in DNSPod remarks")
    dnspod_endpoint: str = Field("dnspod.tencentcloudapi.com", description="DNSPod API 3.0 host[:port]")
    dnspod_protocol: str = Field("https", description="'https', or 'http' for a local test endpoint")
    dnspod_rate: float = Field(10.0, description="most DNSPod API calls per second (below its limits)")
    dnspod_lines: str = Field(
        "public=默认", description="views DNSPod lines publish: VIEW=LINE, comma-separated (docs/dnspod.md)"
    )
    log_format: str = Field("auto", description="'json', 'text' or 'auto' (json when not a tty)")
    log_level: str = Field("INFO", description="root log level")
    env_file: str | None = Field(None, description="a file of DNSD_* lines, read at start and on SIGHUP")
    metrics_port: int | None = Field(
        None, description="/metrics port when DNS runs without the API (None: none; 0: any free)"
    )
    migrate: bool = Field(False, description="serve: upgrade the schema before serving (the image sets it)")
    startup_timeout: float = Field(
        30.0, description="seconds to load the first snapshot before exiting non-zero (0: wait forever)"
    )
    drain_timeout: float = Field(5.0, description="seconds SIGTERM waits for in-flight TCP queries")
    rrl_responses_per_second: int = Field(0, description="UDP responses per client prefix a second (0: off)")
    rrl_slip: int = Field(2, description="every Nth rate-limited query gets TC=1 (0: drop all)")
    steering: bool = Field(
        True, description="serve: take part in the leader election that runs health checks and shifts"
    )
    steering_interval: float = Field(
        2.0, gt=0, description="seconds between leader-lease renewals (the lease lasts 3 of them)"
    )
    rrl_exempt: str = Field("", description="comma-separated CIDRs never rate limited")
    ecs_trusted: str = Field(
        "", description="comma-separated networks of resolvers whose EDNS Client Subnet picks the view (none)"
    )

    @field_validator("ecs_trusted")
    @classmethod
    def _networks(cls, value: str) -> str:
        for text in value.split(","):
            if text.strip():
                try:
                    ipaddress.ip_network(text.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{text.strip()!r} is not an IPv4 or IPv6 network") from None
        return value
