# syntax=docker/dockerfile:1
#
# The offhours image: `offhours run` (the in-cluster daemon) by default, any other subcommand
# with `docker run IMAGE <subcommand>`.
#
#   docker build -t ghcr.io/your-org/offhours:0.1.0 .
#
# Base: python:3.11-slim-bookworm pinned by digest (Docker Hub manifest as of 2026-08-24);
# bump the digest together with the tag, e.g. with Renovate's docker manager. Both stages use
# the same base so the venv built in the final stage matches the interpreter it was made for.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# --- build: wheels for offhours and every runtime dependency ------------------------------
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
# Only what `pip wheel .` needs (see .dockerignore): pyproject.toml names README.md as the
# long description, the package lives in scheduler/.
COPY pyproject.toml README.md ./
COPY scheduler ./scheduler
# The same build the Makefile's `pip install .` runs (setuptools via PEP 517), producing
# wheels instead of installing them, so the final stage installs offline.
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

# --- runtime ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="offhours" \
      org.opencontainers.image.description="GitOps-native, energy-aware scale-to-zero scheduler for Kubernetes" \
      org.opencontainers.image.source="https://github.com/your-org/offhours" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# git and ssh: offhours clones, commits and pushes the fleet repository over SSH.
# Versions are not pinned on purpose: the base image digest fixes the Debian release, and
# bookworm-security replaces (and removes) old package versions, so a pin would break the
# build at the next security update instead of picking it up.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client \
    && rm -rf /var/lib/apt/lists/*

# A numeric, non-root user (Kubernetes runAsNonRoot can only verify numeric UIDs).
RUN groupadd --system --gid 10001 offhours \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin offhours \
    && install -d -o 10001 -g 10001 -m 0750 /var/cache/offhours

# Install from the build stage's wheels without network access and without keeping the wheels
# in a layer (BuildKit bind mount).
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/offhours \
    && /opt/offhours/bin/pip install --no-cache-dir --no-index --find-links=/wheels \
       "offhours==${VERSION}"

# Read-only root filesystem: everything offhours, git and ssh write goes to /tmp (HOME) or
# /var/cache/offhours (the repository clone); both are emptyDir volumes in Kubernetes.
ENV PATH="/opt/offhours/bin:${PATH}" \
    HOME=/tmp \
    XDG_CACHE_HOME=/var/cache/offhours \
    OFFHOURS_GIT__CACHE_DIR=/var/cache/offhours \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001
WORKDIR /tmp
# /metrics, /healthz and /readyz (OFFHOURS_DAEMON__LISTEN_ADDRESS).
EXPOSE 8080

# No HEALTHCHECK: Kubernetes ignores it and uses the Deployment's probes on /healthz and
# /readyz; for `docker run` use `curl localhost:8080/healthz` from the host.
ENTRYPOINT ["offhours"]
CMD ["run"]
