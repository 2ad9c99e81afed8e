"""Resource arguments as kubectl users type them: ``clone/web``, ``asts/db``,
``statefulset.apps.kruise.io/db``, ``deployment/web``, or ``cloneset web``.

A name without a group follows kubectl: ``statefulset`` and ``sts`` are the built-in
apps/v1 kind, which this plugin does not handle (the error says to write ``asts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kruise.runtime.client import DEPLOYMENTS, STATEFUL_SETS, Resource

KRUISE_GROUP = "apps.kruise.io"
CLONESETS = Resource(KRUISE_GROUP, "v1alpha1", "clonesets", "CloneSet")
ADVANCED_STATEFULSETS = Resource(KRUISE_GROUP, "v1beta1", "statefulsets", "StatefulSet")


class ResourceError(ValueError):
    """A resource argument that names no kind this plugin knows, or no name."""


@dataclass(frozen=True)
class Kind:
    """A kind the plugin can address, with the names users may call it by."""

    resource: Resource
    singular: str
    aliases: frozenset[str]

    @property
    def qualified(self) -> str:
        """``cloneset.apps.kruise.io``, ``deployment.apps``: how kubectl prints the kind."""
        group = self.resource.group
        return f"{self.singular}.{group}" if group else self.singular

    def display(self, name: str) -> str:
        """``cloneset.apps.kruise.io/web``, kubectl's ``-o name`` form."""
        return f"{self.qualified}/{name}"


def _kind(resource: Resource, singular: str, *short: str) -> Kind:
    group, version, plural = resource.group, resource.version, resource.plural
    names = {singular, plural, resource.kind.lower(), *short}
    qualified = set()
    for base in (singular, plural):
        qualified |= {f"{base}.{group}", f"{base}.{version}.{group}"}
    return Kind(resource, singular, frozenset(names | qualified))


CLONESET = _kind(CLONESETS, "cloneset", "clone", "clones")
ADVANCED_STATEFULSET = Kind(
    ADVANCED_STATEFULSETS,
    "statefulset",
    frozenset(
        {
            "asts",
            "advancedstatefulset",
            "advancedstatefulsets",
            "statefulset.apps.kruise.io",
            "statefulsets.apps.kruise.io",
            "statefulset.v1beta1.apps.kruise.io",
            "statefulsets.v1beta1.apps.kruise.io",
            "statefulset.v1alpha1.apps.kruise.io",
            "statefulsets.v1alpha1.apps.kruise.io",
            "sts.apps.kruise.io",
        }
    ),
)
DEPLOYMENT = _kind(DEPLOYMENTS, "deployment", "deploy")
# Known only to say what to write instead: kubectl resolves these names to apps/v1.
BUILTIN_STATEFULSET = _kind(STATEFUL_SETS, "statefulset", "sts")

KINDS: tuple[Kind, ...] = (CLONESET, ADVANCED_STATEFULSET, DEPLOYMENT, BUILTIN_STATEFULSET)
WORKLOADS: tuple[Kind, ...] = (CLONESET, ADVANCED_STATEFULSET)


@dataclass(frozen=True)
class Target:
    """One object named on the command line."""

    kind: Kind
    name: str

    def __str__(self) -> str:
        return self.kind.display(self.name)


def find_kind(text: str) -> Kind:
    """The kind a user's word names (case-insensitive); ResourceError if none."""
    word = text.strip().lower()
    for kind in KINDS:
        if word in kind.aliases:
            return kind
    raise ResourceError(f'the server doesn\'t have a resource type "{text}"')


def parse_targets(args: list[str], allowed: tuple[Kind, ...] = WORKLOADS) -> list[Target]:
    """``["clone/a", "asts/b"]`` or ``["cloneset", "a", "b"]`` as kubectl reads them."""
    if not args:
        raise ResourceError("you must provide one or more resources by argument")
    if all("/" in arg for arg in args):
        targets = [_split(arg) for arg in args]
    elif "/" in args[0] or any("/" in arg for arg in args[1:]):
        raise ResourceError(
            "there is no need to specify a resource type as a separate argument when "
            "passing arguments in resource/name form"
        )
    else:
        kind = find_kind(args[0])
        if len(args) == 1:
            raise ResourceError(f"a name is required for {kind.qualified}")
        targets = [Target(kind, name) for name in args[1:]]
    for target in targets:
        check_allowed(target, allowed)
    return targets


def parse_target(arg: str, allowed: tuple[Kind, ...] = WORKLOADS) -> Target:
    """One ``kind/name`` argument."""
    if "/" not in arg:
        raise ResourceError(f"{arg!r}: expected TYPE/NAME, e.g. cloneset/{arg}")
    target = _split(arg)
    check_allowed(target, allowed)
    return target


def check_allowed(target: Target, allowed: tuple[Kind, ...]) -> None:
    """ResourceError unless ``target`` is one of the ``allowed`` kinds."""
    if target.kind in allowed:
        return
    if target.kind is BUILTIN_STATEFULSET:
        raise ResourceError(
            f"{target}: {target.kind.qualified} is the built-in StatefulSet; for an "
            f"Advanced StatefulSet write asts/{target.name} or "
            f"statefulset.apps.kruise.io/{target.name}"
        )
    supported = ", ".join(kind.qualified for kind in allowed)
    raise ResourceError(f"{target}: not supported here (supported: {supported})")


def _split(arg: str) -> Target:
    kind_text, _, name = arg.partition("/")
    if not kind_text or not name or "/" in name:
        raise ResourceError(
            f"arguments in resource/name form must have a single resource and name: {arg!r}"
        )
    return Target(find_kind(kind_text), name)
