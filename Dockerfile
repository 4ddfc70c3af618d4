# dnsd image: API + DNS in one process by default (`dnsd serve`).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts/constraints.txt scripts/constraints.txt
COPY dnsd dnsd
COPY api api
COPY migrations migrations
COPY zones zones
RUN pip install --no-cache-dir -c scripts/constraints.txt -e . \
 && useradd --system --uid 10053 dnsd
USER dnsd
EXPOSE 53/udp 53/tcp 8080
ENTRYPOINT ["dnsd"]
CMD ["serve"]
