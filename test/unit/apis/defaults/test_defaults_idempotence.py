"""Defaulting twice gives what defaulting once gives, for any object."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["", "20%", "Always", "InPlaceOnly", "RollingUpdate", "OnDelete", "x"])
)
ANY = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field that is a sensible value, or anything at all (missing fields come from the
    fixed_dictionaries' optional keys)."""
    return value | ANY


def fields(**members: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return maybe(st.fixed_dictionaries({}, optional={k: maybe(v) for k, v in members.items()}))


PROBE = fields(
    httpGet=fields(path=st.sampled_from(["", "/h"]), scheme=st.just("HTTP"), port=st.just(80)),
    timeoutSeconds=st.integers(0, 5),
    periodSeconds=st.integers(0, 5),
    successThreshold=st.integers(0, 2),
    failureThreshold=st.integers(0, 5),
)
CONTAINER = fields(
    name=st.just("c"),
    image=st.sampled_from(["nginx", "nginx:latest", "nginx:1.2", "", "Bad Ref"]),
    imagePullPolicy=st.sampled_from(["", "Always", "Never"]),
    terminationMessagePath=st.just(""),
    ports=st.lists(
        fields(containerPort=st.integers(0, 90), hostPort=st.integers(0, 1), protocol=st.just("")),
        max_size=2,
    ),
    env=st.lists(
        fields(valueFrom=fields(fieldRef=fields(apiVersion=st.just(""), fieldPath=st.just("x")))),
        max_size=2,
    ),
    livenessProbe=PROBE,
    readinessProbe=PROBE,
    startupProbe=PROBE,
    lifecycle=fields(
        postStart=fields(httpGet=fields(path=st.just(""))), preStop=fields(httpGet=fields())
    ),
)
VOLUME = fields(
    name=st.just("v"),
    emptyDir=st.just({}),
    hostPath=fields(path=st.just("/x")),
    secret=fields(defaultMode=st.integers(0, 511)),
    configMap=fields(),
    downwardAPI=fields(items=st.lists(fields(fieldRef=fields()), max_size=2)),
    projected=fields(
        sources=st.lists(
            fields(
                serviceAccountToken=fields(expirationSeconds=st.integers(0, 9)),
                downwardAPI=fields(items=st.lists(fields(fieldRef=fields()), max_size=1)),
            ),
            max_size=2,
        )
    ),
)
POD_SPEC = fields(
    containers=st.lists(CONTAINER, max_size=2),
    initContainers=st.lists(CONTAINER, max_size=2),
    volumes=st.lists(VOLUME, max_size=3),
    hostNetwork=st.booleans(),
    dnsPolicy=st.sampled_from(["", "Default"]),
    restartPolicy=st.sampled_from(["", "Never"]),
    securityContext=st.just({}),
    terminationGracePeriodSeconds=st.integers(0, 30),
    schedulerName=st.just(""),
)
TEMPLATE = fields(metadata=fields(labels=st.just({"a": "b"})), spec=POD_SPEC)
CLAIMS = st.lists(
    fields(
        metadata=fields(name=st.just("d")),
        spec=fields(volumeMode=st.just("Block")),
        status=fields(phase=st.just("")),
    ),
    max_size=2,
)
INT_OR_STRING = st.integers(0, 5) | st.sampled_from(["20%", "5", ""])

CLONESET = fields(
    spec=fields(
        replicas=st.integers(0, 5),
        revisionHistoryLimit=st.integers(0, 5),
        template=TEMPLATE,
        volumeClaimTemplates=CLAIMS,
        updateStrategy=fields(
            type=st.sampled_from(["", "ReCreate", "InPlaceIfPossible", "InPlaceOnly"]),
            partition=INT_OR_STRING,
            maxUnavailable=INT_OR_STRING,
            maxSurge=INT_OR_STRING,
            inPlaceUpdateStrategy=fields(gracePeriodSeconds=st.integers(0, 5)),
        ),
    )
)
STATEFULSET = fields(
    spec=fields(
        podManagementPolicy=st.sampled_from(["", "Parallel"]),
        replicas=st.integers(0, 5),
        template=TEMPLATE,
        volumeClaimTemplates=CLAIMS,
        updateStrategy=fields(
            type=st.sampled_from(["", "RollingUpdate", "OnDelete"]),
            rollingUpdate=fields(
                partition=st.integers(0, 3),
                maxUnavailable=INT_OR_STRING,
                podUpdatePolicy=st.sampled_from(["", "InPlaceOnly"]),
                minReadySeconds=st.integers(0, 300),
            ),
        ),
    ),
    status=fields(replicas=st.integers(0, 3)),
)
BROADCASTJOB_SPEC = fields(
    template=TEMPLATE,
    parallelism=INT_OR_STRING,
    completionPolicy=fields(type=st.sampled_from(["", "Never"])),
    failurePolicy=fields(type=st.sampled_from(["", "Pause"]), restartLimit=st.integers(0, 3)),
)
BROADCASTJOB = fields(spec=BROADCASTJOB_SPEC)
ADVANCEDCRONJOB = fields(
    spec=fields(
        schedule=st.just("@hourly"),
        concurrencyPolicy=st.sampled_from(["", "Forbid"]),
        paused=st.booleans(),
        successfulJobsHistoryLimit=st.integers(0, 5),
        failedJobsHistoryLimit=st.integers(0, 5),
        template=fields(
            jobTemplate=fields(spec=fields(template=TEMPLATE)),
            broadcastJobTemplate=fields(spec=BROADCASTJOB_SPEC),
        ),
    )
)

CASES = [
    (default_cloneset, CLONESET),
    (default_statefulset, STATEFULSET),
    (default_broadcastjob, BROADCASTJOB),
    (default_advancedcronjob, ADVANCEDCRONJOB),
]


@pytest.mark.parametrize(
    ("default", "objects"),
    CASES,
    ids=["cloneset", "statefulset", "broadcastjob", "advancedcronjob"],
)
def test_defaulting_is_idempotent(default: Any, objects: st.SearchStrategy[Any]) -> None:
    @settings(max_examples=300, deadline=None)
    @given(objects.filter(lambda o: isinstance(o, dict)))
    def check(obj: dict[str, Any]) -> None:
        before = copy.deepcopy(obj)
        once = default(obj)
        assert obj == before, "the argument was changed"
        assert default(once) == once

    check()
