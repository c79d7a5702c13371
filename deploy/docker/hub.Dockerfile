# The store hub: ingest, fusion, alerts, forecasts, the dashboard and the kiosk.
#   docker buildx build --platform linux/arm64,linux/amd64 -f deploy/docker/hub.Dockerfile -t comptoir-hub .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --home-dir /var/lib/comptoir comptoir

WORKDIR /opt/comptoir
COPY pyproject.toml README.md LICENSE ./
COPY comptoir ./comptoir
COPY edge ./edge
COPY firmware-bridge ./firmware-bridge
COPY simulators ./simulators
COPY hub ./hub
COPY models ./models
RUN pip install --no-cache-dir '.[hub]' && pip check

USER comptoir
VOLUME ["/var/lib/comptoir"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/health', timeout=4)"
ENTRYPOINT ["comptoir"]
CMD ["hub", "--config", "/etc/comptoir/hub.yaml"]
