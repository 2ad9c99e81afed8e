"""Whatever object a request carries, every handler answers, and never with a 500."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support.admission import advancedcronjob, broadcastjob, cloneset, request, statefulset

from kruise.runtime.webhook.admission import AdmissionResponse
from kruise.webhook import advancedcronjob as acj_webhook
from kruise.webhook import broadcastjob as bcj_webhook
from kruise.webhook import cloneset as cs_webhook
from kruise.webhook import statefulset as sts_webhook

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2**33)
    | st.sampled_from(["", "5", "50%", "InPlaceOnly", "v1alpha1", "{", '{"spec":{}}'])
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


async def _get_pod(namespace: str, name: str) -> dict[str, Any] | None:
    if name.startswith("x"):
        raise OSError("unreachable")
    return {"metadata": {"name": name, "ownerReferences": [{"controller": True, "uid": name}]}}


HANDLERS = [
    (cloneset, "v1alpha1", cs_webhook.handlers(_get_pod)),
    (statefulset, "v1beta1", sts_webhook.handlers()),
    (lambda: statefulset("v1alpha1"), "v1alpha1", sts_webhook.handlers()),
    (broadcastjob, "v1alpha1", bcj_webhook.handlers()),
    (advancedcronjob, "v1alpha1", acj_webhook.handlers()),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, dict[str, Any], str]:
    kind = draw(st.integers(0, len(HANDLERS) - 1))
    obj = HANDLERS[kind][0]()
    for _ in range(draw(st.integers(1, 2))):
        target = draw(st.sampled_from(_paths(obj)[1:]))
        node: Any = obj
        for key in target[:-1]:
            node = node[key]
        node[target[-1]] = draw(JSON)
    return kind, obj, draw(st.sampled_from(["CREATE", "UPDATE"]))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_handlers_never_fail(case: tuple[int, dict[str, Any], str]) -> None:
    kind, obj, operation = case
    sample, version, handlers = HANDLERS[kind]
    old = sample() if operation == "UPDATE" else None

    async def run() -> None:
        for handler in handlers.values():
            req = request(copy.deepcopy(obj), operation=operation, old=old, version=version)
            response = await handler.handle(req)
            assert isinstance(response, AdmissionResponse)
            assert response.code != 500
            assert response.code == 200 or not response.allowed

    asyncio.run(run())
