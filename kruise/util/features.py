"""OpenKruise's feature gates, set as kruise-manager's ``--feature-gates`` sets them.

The syntax is Kubernetes' (``Name=true,Other=false``): ``AllAlpha`` and ``AllBeta`` switch
every alpha or beta gate not named explicitly in the same value, values are Go booleans
(``true``, ``1``, ``T``, ``false``, ...), and a name OpenKruise does not have is an error.
Every gate of OpenKruise v1.9 is accepted, so its manifests work as they are, but most
guard features kruise-py does not have and change nothing; ``IMPLEMENTED`` lists the ones
that act.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

Stage = Literal["Alpha", "Beta"]

ALL_ALPHA: Final = "AllAlpha"
ALL_BETA: Final = "AllBeta"

PREPARING_UPDATE_AS_UPDATE: Final = "PreparingUpdateAsUpdate"
"""CloneSet scaling counts pods in ``PreparingUpdate`` as updated (alpha, default off)."""

# OpenKruise v1.9.0's gates (pkg/features): default and stage.
KNOWN_GATES: Final[Mapping[str, tuple[bool, Stage]]] = {
    "PodWebhook": (True, "Beta"),
    "KruiseDaemon": (True, "Beta"),
    "DaemonWatchingPod": (True, "Beta"),
    "CloneSetShortHash": (False, "Alpha"),
    "KruisePodReadinessGate": (False, "Alpha"),
    "PreDownloadImageForInPlaceUpdate": (False, "Alpha"),
    "CloneSetPartitionRollback": (False, "Alpha"),
    "ResourcesDeletionProtection": (False, "Beta"),
    "WorkloadSpread": (True, "Beta"),
    "PodUnavailableBudgetDeleteGate": (True, "Beta"),
    "PodUnavailableBudgetUpdateGate": (False, "Alpha"),
    "TemplateNoDefaults": (False, "Alpha"),
    "InPlaceUpdateEnvFromMetadata": (True, "Beta"),
    "StatefulSetAutoDeletePVC": (True, "Beta"),
    "SidecarSetPatchPodMetadataDefaultsAllowed": (False, "Alpha"),
    "SidecarTerminator": (False, "Alpha"),
    "PodProbeMarkerGate": (True, "Beta"),
    "PreDownloadImageForDaemonSetUpdate": (False, "Alpha"),
    "CloneSetEventHandlerOptimization": (False, "Alpha"),
    PREPARING_UPDATE_AS_UPDATE: (False, "Alpha"),
    "ImagePullJobGate": (False, "Alpha"),
    "ResourceDistributionGate": (False, "Beta"),
    "DeletionProtectionForCRDCascadingGate": (False, "Alpha"),
    "EnhancedLivenessProbe": (False, "Alpha"),
    "RecreatePodWhenChangeVCTInCloneSetGate": (False, "Alpha"),
    "StatefulSetStartOrdinal": (False, "Alpha"),
    "PodIndexLabel": (True, "Beta"),
    "EnableExternalCerts": (False, "Alpha"),
    "StatefulSetAutoResizePVCGate": (False, "Alpha"),
    "ForceDeleteTimeoutExpectationGate": (False, "Alpha"),
    "InPlaceWorkloadVerticalScaling": (False, "Alpha"),
    "EnablePodProbeMarkerOnServerless": (False, "Alpha"),
    "EnableSortSidecarContainerByName": (False, "Alpha"),
    "InPlacePodVerticalScaling": (False, "Alpha"),
    "DefaultHostNetworkHostPortsInPodTemplates": (False, "Alpha"),
    "DaemonSetPruneIneligibleNodes": (False, "Alpha"),
}

IMPLEMENTED: Final = frozenset({PREPARING_UPDATE_AS_UPDATE})
"""The gates kruise-py acts on; the others are accepted and change nothing."""

_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})


class FeatureGateError(ValueError):
    """A ``--feature-gates`` value that cannot be applied."""


def parse_bool(text: str) -> bool:
    """A boolean as Go's ``strconv.ParseBool`` reads it."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FeatureGateError(f"invalid boolean {text!r}: use true or false")


@dataclass(frozen=True)
class FeatureGates:
    """Each known gate's setting: ``overrides`` where set, else its default."""

    overrides: Mapping[str, bool] = field(default_factory=dict)

    def enabled(self, name: str) -> bool:
        """Whether gate ``name`` is on; a name OpenKruise does not have is an error."""
        if name not in KNOWN_GATES:
            raise KeyError(f"unknown feature gate {name!r}")
        return self.overrides.get(name, KNOWN_GATES[name][0])

    def ignored(self) -> list[str]:
        """Gates switched away from their default that kruise-py does not act on."""
        return sorted(
            name
            for name, value in self.overrides.items()
            if name not in IMPLEMENTED and value != KNOWN_GATES[name][0]
        )


def parse_feature_gates(text: str) -> FeatureGates:
    """Read ``Name=bool,...``; raises ``FeatureGateError`` naming what is wrong."""
    explicit: dict[str, bool] = {}
    stages: dict[Stage, bool] = {}
    for pair in text.split(","):
        item = pair.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise FeatureGateError(f"missing bool value for {name}")
        enabled = parse_bool(value.strip())
        if name == ALL_ALPHA:
            stages["Alpha"] = enabled
        elif name == ALL_BETA:
            stages["Beta"] = enabled
        elif name in KNOWN_GATES:
            explicit[name] = enabled
        else:
            raise FeatureGateError(f"unrecognized feature gate: {name}")
    overrides = {
        name: stages[stage]
        for name, (_, stage) in KNOWN_GATES.items()
        if stage in stages and name not in explicit
    }
    overrides.update(explicit)
    return FeatureGates(overrides)
