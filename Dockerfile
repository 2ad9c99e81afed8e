# kruise-manager image: `make docker-build` (docker build -t kruise-py:latest .).
#
# Stage 1 fetches the dependencies pinned in requirements/runtime.lock (each file checked
# against its sha256 there, so the same lock gives the same image) and builds kruise-py's
# own wheel; stage 2 is a slim Python with only those installed: no compiler, no pip, no
# pip cache, no source tree. It runs as a non-root numeric user and needs no writable path
# but /tmp and the webhook cert dir (emptyDir volumes in config/manager/manager.yaml), so
# readOnlyRootFilesystem works.
# Needs BuildKit (RUN --mount), Docker's default builder since 23.0.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
# The locked dependencies: released wheels only (nothing is compiled here), every file's
# hash checked. `make lock` writes the lock; `make audit` checks it.
COPY requirements/runtime.lock /wheels/runtime.lock
RUN pip download --no-cache-dir --require-hashes --only-binary=:all: --dest /wheels \
    -r /wheels/runtime.lock
# Only what the wheel is built from (.dockerignore keeps the rest out of the context).
COPY pyproject.toml README.md ./
COPY kruise/ kruise/
COPY cmd/ cmd/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="kruise-py" \
      org.opencontainers.image.description="kruise-manager: OpenKruise v0.7.0 controllers and webhooks in asyncio Python" \
      org.opencontainers.image.licenses="Apache-2.0"
# The wheels are bind-mounted from the build stage, so they never land in a layer. pip
# compiles the bytecode at install time (the root filesystem is read-only at run time),
# then pip itself goes: nothing in the image installs packages after this.
# The dependencies go in by the lock, hashes checked again; kruise-py then goes in with
# --no-deps, so nothing outside the lock can be installed. --no-index: no index is asked.
# AdvancedCronJob schedules are read in IANA time zones (spec.timeZone, through zoneinfo),
# and the slim Debian base does not promise the zone database: install tzdata, keeping
# no apt lists. (No pin: the base image's release fixes the version.)
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*
# hadolint ignore=DL3013
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels --require-hashes \
        -r /wheels/runtime.lock \
    && pip install --no-cache-dir --no-index --find-links=/wheels --no-deps kruise-py \
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
