"""Image references as Kubernetes' ``parsers.ParseImageName`` reads them, for the default
``imagePullPolicy`` of init containers.

The grammar is the Docker distribution reference's (``github.com/distribution/reference``
v0.6.0): an optional registry host (a first component with a dot, a colon, upper-case
letters, or ``localhost``), lower-case path components, then an optional tag and digest.
A reference with neither tag nor digest means the tag ``latest``.
"""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_NAME = rf"(?:{_DOMAIN}/)?{_REMOTE}"
_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)
_ANCHORED_NAME = re.compile(rf"(?:({_DOMAIN})/)?({_REMOTE})", re.ASCII)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")
_DIGEST_SIZES = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX = re.compile(r"[a-f0-9]+")
_MAX_PATH = 255
_DEFAULT_DOMAIN = "docker.io"


def image_tag(image: str) -> str | None:
    """The tag ``ParseImageName`` gives (``latest`` when there is neither tag nor digest,
    "" for a digest alone); None when the reference does not parse."""
    if _IDENTIFIER.fullmatch(image):
        return None
    domain, remainder = _split_domain(image)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        return None
    match = _REFERENCE.fullmatch(f"{domain}/{remainder}")
    if match is None:
        return None
    name, tag, digest = match.group(1), match.group(2) or "", match.group(3) or ""
    path = _ANCHORED_NAME.fullmatch(name)
    if path is not None and len(path.group(2)) > _MAX_PATH:
        return None
    if digest and not _valid_digest(digest):
        return None
    return "latest" if not tag and not digest else tag


def _split_domain(name: str) -> tuple[str, str]:
    head, slash, rest = name.partition("/")
    if not slash:
        return _DEFAULT_DOMAIN, "library/" + name
    if head == "localhost" or any(c in head for c in ".:") or head.lower() != head:
        domain, remote = ("docker.io" if head == "index.docker.io" else head), rest
    else:
        domain, remote = _DEFAULT_DOMAIN, name
    if domain == _DEFAULT_DOMAIN and "/" not in remote:
        remote = "library/" + remote
    return domain, remote


def _valid_digest(digest: str) -> bool:
    algorithm, _, encoded = digest.partition(":")
    size = _DIGEST_SIZES.get(algorithm)
    return size is not None and len(encoded) == size and bool(_HEX.fullmatch(encoded))


def init_container_pull_policy(image: object) -> str:
    """``SetDefaults_Container``'s policy: Always for the ``latest`` tag (also implied by
    a reference with neither tag nor digest), else IfNotPresent (also when the reference
    does not parse)."""
    tag = image_tag(image) if isinstance(image, str) else None
    return "Always" if tag == "latest" else "IfNotPresent"
