"""--feature-gates: OpenKruise's gates, read with Kubernetes' syntax."""

from __future__ import annotations

import pytest

from kruise.util.features import (
    IMPLEMENTED,
    KNOWN_GATES,
    FeatureGateError,
    FeatureGates,
    parse_bool,
    parse_feature_gates,
)


def test_empty_means_every_default() -> None:
    gates = parse_feature_gates("")
    assert gates == FeatureGates()
    assert not gates.enabled("PreparingUpdateAsUpdate")
    assert gates.enabled("PodWebhook")  # a beta gate on by default
    assert gates.ignored() == []


def test_a_gate_set_explicitly() -> None:
    gates = parse_feature_gates("PreparingUpdateAsUpdate=true")
    assert gates.enabled("PreparingUpdateAsUpdate")
    assert not parse_feature_gates("PreparingUpdateAsUpdate=false").enabled(
        "PreparingUpdateAsUpdate"
    )


def test_openkruise_e2e_manifest_value() -> None:
    # config/manager/manager.yaml of OpenKruise v1.9.0's e2e deployment.
    gates = parse_feature_gates(
        "AllAlpha=true,AllBeta=true,EnableExternalCerts=false,TemplateNoDefaults=false"
    )
    assert gates.enabled("PreparingUpdateAsUpdate")  # alpha
    assert gates.enabled("ResourceDistributionGate")  # beta, off by default
    assert not gates.enabled("EnableExternalCerts")  # named explicitly: wins over AllAlpha
    assert not gates.enabled("TemplateNoDefaults")
    assert "PreparingUpdateAsUpdate" not in gates.ignored()
    assert "CloneSetShortHash" in gates.ignored()


def test_all_alpha_leaves_beta_gates_alone_and_order_does_not_matter() -> None:
    for text in ("AllAlpha=true,CloneSetShortHash=false", "CloneSetShortHash=false,AllAlpha=true"):
        gates = parse_feature_gates(text)
        assert not gates.enabled("CloneSetShortHash")
        assert gates.enabled("PreparingUpdateAsUpdate")
        assert not gates.enabled("ResourcesDeletionProtection")  # beta: untouched


def test_all_beta_false_turns_default_on_beta_gates_off() -> None:
    gates = parse_feature_gates("AllBeta=false")
    assert not gates.enabled("PodWebhook")
    assert not gates.enabled("PreparingUpdateAsUpdate")  # alpha: untouched


def test_spaces_and_empty_items_and_go_booleans() -> None:
    gates = parse_feature_gates(" PreparingUpdateAsUpdate = T , ,CloneSetShortHash=1,")
    assert gates.enabled("PreparingUpdateAsUpdate")
    assert gates.enabled("CloneSetShortHash")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nope=true", "unrecognized feature gate: Nope"),
        ("PreparingUpdateAsUpdate", "missing bool value for PreparingUpdateAsUpdate"),
        ("PreparingUpdateAsUpdate=yes", "invalid boolean 'yes': use true or false"),
        ("AllAlpha=on", "invalid boolean 'on': use true or false"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(FeatureGateError, match=f"^{message}$"):
        parse_feature_gates(text)


def test_every_gate_of_openkruise_v190_is_known() -> None:
    assert len(KNOWN_GATES) == 36
    assert set(KNOWN_GATES) >= IMPLEMENTED
    with pytest.raises(KeyError):
        FeatureGates().enabled("Nope")


@pytest.mark.parametrize(("text", "value"), [("true", True), ("0", False), ("False", False)])
def test_parse_bool(text: str, value: bool) -> None:
    assert parse_bool(text) is value
