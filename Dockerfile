# dnsd image: API + DNS in one process by default (`dnsd serve`), as the unprivileged user dnsd.
#   docker run -p 127.0.0.1:53:53/udp -p 127.0.0.1:53:53/tcp -p 127.0.0.1:8080:8080 \
#              -v dnsd-data:/var/lib/dnsd IMAGE
# Container defaults (ENV below, each overridable with -e): listen on every interface, SQLite
# in the volume /var/lib/dnsd (owned by dnsd), migrate the schema on start. Port 53 without
# root: the interpreter carries CAP_NET_BIND_SERVICE (setcap; Docker's default capability set
# includes it). scripts/docker-entrypoint checks the data directory, then runs dnsd.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DNSD_API_HOST=0.0.0.0 DNSD_DNS_HOST=0.0.0.0 DNSD_DNS_PORT=53 DNSD_API_PORT=8080 \
    DNSD_DATABASE_URL=sqlite:////var/lib/dnsd/dnsd.db DNSD_MIGRATE=1
WORKDIR /app
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY scripts/constraints.txt scripts/constraints.txt
COPY dnsd dnsd
COPY api api
COPY migrations migrations
COPY zones zones
COPY scripts/docker-entrypoint /usr/local/bin/dnsd-entrypoint
# A regular (not editable) install: the wheel carries the migrations (dnsd/_migrations).
RUN pip install --no-cache-dir -c scripts/constraints.txt . \
 && rm -rf dnsd api migrations build \
 && useradd --system --uid 10053 --home-dir /var/lib/dnsd dnsd \
 && mkdir -p /var/lib/dnsd && chown dnsd:dnsd /var/lib/dnsd \
 && apt-get update -qq && apt-get install -y -qq --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep "$(readlink -f /usr/local/bin/python3)" \
 && apt-get purge -y -qq libcap2-bin && rm -rf /var/lib/apt/lists/*
VOLUME /var/lib/dnsd
USER dnsd
EXPOSE 53/udp 53/tcp 8080
ENTRYPOINT ["dnsd-entrypoint"]
CMD ["serve"]
