# The edge image: RFID, shelf vision (ONNX Runtime, no PyTorch) and the scale bridge.
# Multi-architecture: build for a Raspberry Pi 4/5 (arm64), a Jetson (arm64) and a PC (amd64) with
#   docker buildx build --platform linux/arm64,linux/amd64 -f deploy/docker/edge.Dockerfile -t comptoir-edge .
# onnxruntime and opencv-python-headless publish aarch64 wheels, so nothing compiles on the board.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --home-dir /var/lib/comptoir --groups dialout comptoir

WORKDIR /opt/comptoir
COPY pyproject.toml README.md LICENSE ./
COPY comptoir ./comptoir
COPY edge ./edge
COPY firmware-bridge ./firmware-bridge
COPY simulators ./simulators
COPY hub ./hub
COPY models ./models
# the edge extra only: no hub, no training (PyTorch is in the 'train' extra and never installed here)
RUN pip install --no-cache-dir '.[edge]' && pip check

USER comptoir
VOLUME ["/var/lib/comptoir"]
# /etc/comptoir/edge.yaml comes from 'comptoir provision device' (mounted read-only)
ENTRYPOINT ["comptoir"]
CMD ["edge", "--config", "/etc/comptoir/edge.yaml"]
