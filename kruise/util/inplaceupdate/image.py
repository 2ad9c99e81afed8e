"""Image references in one canonical form, so that a spec's image and the image a
kubelet reports compare equal when they name the same thing.

``nginx``, ``nginx:latest``, ``library/nginx:latest`` and
``docker.io/library/nginx:latest`` are one image: a reference without a tag or digest
means ``:latest``, one without a registry means Docker Hub, and a single-name Docker Hub
repository lives under ``library/``. This is the Docker reference library's rule, which
container runtimes apply before they report an image.
"""

from __future__ import annotations

DEFAULT_REGISTRY = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


def normalize_image(reference: str) -> str:
    """``nginx`` -> ``docker.io/library/nginx:latest``; digests and other registries kept."""
    name, _, digest = reference.strip().partition("@")
    last_slash, last_colon = name.rfind("/"), name.rfind(":")
    repository, tag = (
        (name[:last_colon], name[last_colon + 1 :]) if last_colon > last_slash else (name, "")
    )
    if not tag and not digest:
        tag = "latest"
    first, slash, rest = repository.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DEFAULT_REGISTRY, repository
    if registry in _DOCKER_HUB_ALIASES:
        registry = DEFAULT_REGISTRY
        if "/" not in path:
            path = f"library/{path}"
    normalized = f"{registry}/{path}"
    if tag:
        normalized += f":{tag}"
    if digest:
        normalized += f"@{digest}"
    return normalized


def same_image(a: str, b: str) -> bool:
    return normalize_image(a) == normalize_image(b)
