"""Schema-drawn ConversionReviews against the running webhook server.

Broken reviews are answered right (:mod:`fuzz.checks`): never a 5xx or an error logged, a
whole review always converts. Round trips through ``/convert`` are lossless on every
object the CRD schemas accept: v1beta1 -> v1alpha1 -> v1beta1 gives the object back, and
v1alpha1 -> v1beta1 -> v1alpha1 too, up to the one spelling v1alpha1 has several of (see
``canonical``). The same round trips run on the converter itself, without the server.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz.budget import BATCH, EXAMPLES, fuzz_settings
from fuzz.mutations import Case, broken
from fuzz.reviews import CONVERT_PATH, conversion_review, conversion_reviews
from fuzz.schema import SERVED, Obj, objects
from fuzz.sweep import assert_still_answering, report, sweep
from fuzz.target import Target
from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    KruiseConverter,
)


def _uncarried(obj: Obj) -> Obj:
    """Without the carrier annotation: round trips are exact only for objects whose
    annotation, if any, is the one conversion writes (a stale one is dropped)."""
    annotations = obj["metadata"].get("annotations")
    if isinstance(annotations, dict):
        annotations.pop(CARRIED_FIELDS_ANNOTATION, None)
    return obj


def in_version(version: str) -> st.SearchStrategy[Obj]:
    served = st.sampled_from([s for s in SERVED if s.version == version])
    return served.flatmap(objects).map(_uncarried)


def canonical(obj: Obj) -> Obj:
    """``obj`` as a v1alpha1 -> v1beta1 -> v1alpha1 round trip spells it: a CloneSet's
    ``scaleStrategy.disablePVCReuse: false`` (v1beta1 has one way to say "reuse", v1alpha1
    three) left out, and the ``scaleStrategy`` that leaves empty with it."""
    out = copy.deepcopy(obj)
    spec = out.get("spec")
    if out["kind"] != "CloneSet" or not isinstance(spec, dict):
        return out
    scale = spec.get("scaleStrategy")
    if isinstance(scale, dict) and scale.get("disablePVCReuse") is False:
        del scale["disablePVCReuse"]
    if scale == {}:
        del spec["scaleStrategy"]
    return out


def test_conversion_reviews(target: Target) -> None:
    sent_before = target.sent
    errors_before = len(target.errors())
    tally: Counter[str] = Counter()

    @fuzz_settings()
    @given(st.lists(broken(conversion_reviews()), min_size=BATCH, max_size=BATCH))
    def answers_are_right(cases: list[Case]) -> None:
        sweep(target, cases, tally)

    answers_are_right()
    assert target.sent - sent_before >= EXAMPLES
    assert target.errors()[errors_before:] == []
    assert target.server_errors() == {}
    assert_still_answering(target)
    report("conversion requests", target.sent - sent_before, tally)


def _converted(target: Target, objs: list[Obj], desired: str) -> list[Obj]:
    body = json.dumps(conversion_review(objs, desired)).encode()
    [answer] = target.run(_post_all(target, [body]))
    assert answer.status == 200, answer
    response = json.loads(answer.body)["response"]
    assert response["result"] == {"status": "Success"}, response["result"]
    converted: list[Obj] = response["convertedObjects"]
    return converted


async def _post_all(target: Target, bodies: list[bytes]) -> list[Any]:
    return [await target.post(CONVERT_PATH, body, "application/json") for body in bodies]


def test_round_trips_through_the_endpoint(target: Target) -> None:
    count = 0

    @fuzz_settings(inputs=EXAMPLES // 2)
    @given(
        st.lists(in_version("v1alpha1"), min_size=BATCH, max_size=BATCH),
        st.lists(in_version("v1beta1"), min_size=BATCH, max_size=BATCH),
    )
    def lossless(alphas: list[Obj], betas: list[Obj]) -> None:
        nonlocal count
        count += len(alphas) + len(betas)
        back = _converted(target, _converted(target, alphas, V1BETA1), V1ALPHA1)
        assert back == [canonical(a) for a in alphas]
        assert _converted(target, _converted(target, betas, V1ALPHA1), V1BETA1) == betas

    lossless()
    assert count >= EXAMPLES
    assert target.server_errors() == {}


converter = KruiseConverter()


@fuzz_settings(batch=1)
@given(in_version("v1alpha1"), in_version("v1beta1"))
def test_round_trips_of_the_converter(alpha: Obj, beta: Obj) -> None:
    assert converter.convert(converter.convert(alpha, V1BETA1), V1ALPHA1) == canonical(alpha)
    assert converter.convert(converter.convert(beta, V1ALPHA1), V1BETA1) == beta
