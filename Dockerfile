# kruise-manager image: `make docker-build` (docker build -t kruise-py:latest .).
#
# Stage 1 builds wheels for kruise-py and every dependency; stage 2 is a slim Python with
# only those wheels installed: no compiler, no pip, no pip cache, no source tree. It runs as
# a non-root numeric user and needs no writable path but /tmp and the webhook cert dir
# (emptyDir volumes in config/manager/manager.yaml), so readOnlyRootFilesystem works.
# Needs BuildKit (RUN --mount), Docker's default builder since 23.0.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
# Only what the wheel is built from (.dockerignore keeps the rest out of the context).
COPY pyproject.toml README.md ./
COPY kruise/ kruise/
COPY cmd/ cmd/
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="kruise-py" \
      org.opencontainers.image.description="kruise-manager: OpenKruise v0.7.0 controllers and webhooks in asyncio Python" \
      org.opencontainers.image.licenses="Apache-2.0"
# The wheels are bind-mounted from the build stage, so they never land in a layer. pip
# compiles the bytecode at install time (the root filesystem is read-only at run time),
# then pip itself goes: nothing in the image installs packages after this.
# (No version pins: --no-index means only the wheels built above can be installed.)
# AdvancedCronJob schedules are read in IANA time zones (spec.timeZone, through zoneinfo),
# and the slim Debian base does not promise the zone database: install tzdata, keeping
# no apt lists. (No pin: the base image's release fixes the version.)
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*
# hadolint ignore=DL3013
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels kruise-py \
    && pip uninstall --yes pip setuptools wheel \
    && rm -rf /root/.cache \
    && install -d -o 65532 -g 65532 -m 0700 /var/run/kruise/webhook-certs
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    WEBHOOK_CERT_DIR=/var/run/kruise/webhook-certs
# webhook server, /metrics, /healthz and /readyz
EXPOSE 9876 8080 8000
WORKDIR /tmp
USER 65532:65532
ENTRYPOINT ["kruise-manager"]
