"""The Secret every replica takes its certificates from.

One rule makes replicas agree: what a replica serves is what the API server accepted
into the Secret. A replica that finds no Secret generates a bundle and CREATEs it; if
another replica won that race (AlreadyExists), it reads the winner's bundle instead of
its own. A replica that finds an unusable bundle replaces it with an UPDATE carrying
the resourceVersion it read; on Conflict it reads again and judges what is there now.
"""

from __future__ import annotations

import base64
import binascii
import copy
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kruise.runtime.client import SECRETS, AlreadyExists, Client, Conflict, KubeObject, NotFound
from kruise.runtime.log import get_logger
from kruise.webhook.certs.generate import ALL_KEYS, CertBundle

ATTEMPTS = 5

log = get_logger("webhook-certs")

Check = Callable[[CertBundle], str | None]
Make = Callable[[CertBundle | None], Awaitable[CertBundle]]


class Outcome(enum.StrEnum):
    KEPT = "kept"  # the stored bundle was usable
    CREATED = "created"  # we created the Secret
    ADOPTED = "adopted"  # another replica created it first; we took theirs
    REPLACED = "replaced"  # we replaced an unusable bundle


@dataclass(frozen=True)
class Stored:
    bundle: CertBundle
    outcome: Outcome
    reason: str | None = None  # why the previous bundle was replaced


class SecretStoreError(Exception):
    """The Secret kept changing under us."""


def bundle_from_secret(secret: KubeObject) -> CertBundle:
    """The bundle in a Secret; undecodable entries read as missing."""
    data = secret.get("data") or {}
    files: dict[str, bytes] = {}
    for key in ALL_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            try:
                files[key] = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                continue
    return CertBundle.from_files(files)


def secret_data(bundle: CertBundle) -> dict[str, str]:
    return {key: base64.b64encode(pem).decode() for key, pem in bundle.files().items()}


async def ensure(client: Client, namespace: str, name: str, check: Check, make: Make) -> Stored:
    """The usable bundle in ``namespace/name``, creating or replacing it as needed.

    ``check`` says why a bundle cannot be used (None when it can); ``make`` builds a new
    one, given the unusable one (whose CA it may keep) or None. Raises
    ``SecretStoreError`` when the Secret changed under every attempt.
    """
    adopted = False
    for _ in range(ATTEMPTS):
        try:
            secret = await client.get(SECRETS, name, namespace)
        except NotFound:
            bundle = await make(None)
            try:
                await client.create(SECRETS, _new_secret(namespace, name, bundle))
            except AlreadyExists:
                log.info("certificate secret created by another replica; using theirs")
                adopted = True
                continue
            log.info("created certificate secret", namespace=namespace, name=name)
            return Stored(bundle, Outcome.CREATED)
        current = bundle_from_secret(secret)
        reason = check(current)
        if reason is None:
            return Stored(current, Outcome.ADOPTED if adopted else Outcome.KEPT)
        bundle = await make(current)
        replacement = copy.deepcopy(secret)
        replacement["data"] = {**(secret.get("data") or {}), **secret_data(bundle)}
        try:
            await client.update(SECRETS, replacement)
        except Conflict:
            log.info("certificate secret changed while we replaced it; reading it again")
            continue
        except NotFound:
            continue
        log.info("replaced certificates in secret", namespace=namespace, name=name, reason=reason)
        return Stored(bundle, Outcome.REPLACED, reason)
    raise SecretStoreError(
        f"secret {namespace}/{name} changed under each of {ATTEMPTS} attempts to settle it"
    )


def _new_secret(namespace: str, name: str, bundle: CertBundle) -> KubeObject:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "Opaque",
        "data": secret_data(bundle),
    }
