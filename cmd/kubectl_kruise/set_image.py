"""``set image TYPE/NAME container=image ...``: change containers' images in the pod
template (``*`` names every container, init containers included, as in kubectl)."""

from __future__ import annotations

import argparse
from typing import Any

from kruise.runtime.client import KubeObject, PatchType
from kubectl_kruise.common import CommandError, for_each, patch_fresh, report
from kubectl_kruise.resources import Target, parse_targets
from kubectl_kruise.session import Session

CONTAINER_LISTS = ("initContainers", "containers")


def register(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``set image``."""
    setter = commands.add_parser("set", parents=parents, help="set fields of a workload")
    fields = setter.add_subparsers(dest="field", metavar="COMMAND", required=True)
    image = fields.add_parser(
        "image", parents=parents, help="change container images: TYPE/NAME container=image ..."
    )
    image.add_argument("args", nargs="+", metavar="TYPE/NAME|CONTAINER=IMAGE")
    image.set_defaults(handler=set_image)


def split_args(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """Resources first, then ``container=image`` pairs."""
    resources = [a for a in args if "=" not in a]
    pairs = [a for a in args if "=" in a]
    if not pairs:
        raise CommandError("at least one image update is required")
    if args[: len(resources)] != resources:
        raise CommandError(
            "all resources must be specified before image changes: " + " ".join(args)
        )
    images: dict[str, str] = {}
    for pair in pairs:
        container, _, image = pair.partition("=")
        if not container or not image:
            raise CommandError(f"invalid image update {pair!r}: expected CONTAINER=IMAGE")
        images[container] = image
    return resources, images


def image_patch(obj: KubeObject, images: dict[str, str]) -> list[dict[str, Any]]:
    """JSON patch operations replacing the images; ``CommandError`` for a container the
    template does not have."""
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    operations: list[dict[str, Any]] = []
    matched: set[str] = set()
    for field in CONTAINER_LISTS:
        for index, container in enumerate(spec.get(field) or ()):
            name = container.get("name")
            image = images.get(name, images.get("*"))
            if image is None:
                continue
            matched.add(name if name in images else "*")
            path = f"/spec/template/spec/{field}/{index}"
            # The name check makes a concurrent reorder fail instead of hitting the wrong one.
            operations.append({"op": "test", "path": f"{path}/name", "value": name})
            operations.append({"op": "replace", "path": f"{path}/image", "value": image})
    missing = sorted(set(images) - matched)
    if missing:
        raise CommandError(f'unable to find container named "{missing[0]}"')
    return operations


async def set_image(session: Session, args: argparse.Namespace) -> int:
    """Patch each workload's template images."""
    resources, images = split_args(args.args)

    async def change(target: Target) -> None:
        patched = await patch_fresh(
            session, target, lambda obj: image_patch(obj, images), patch_type=PatchType.JSON
        )
        report(session, target, patched, "image updated")

    return await for_each(session, parse_targets(resources), change)
