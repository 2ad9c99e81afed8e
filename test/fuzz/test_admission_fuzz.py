"""Schema-drawn AdmissionReviews, whole and broken, against the running webhook server.

Every kind and version the CRDs serve, CREATE, UPDATE and DELETE, to the mutating and the
validating path: never a 5xx, never an error logged, every answer right for its case
(:mod:`fuzz.checks`), and afterwards the server still answers a valid review in time.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from fuzz.budget import BATCH, EXAMPLES, fuzz_settings
from fuzz.checks import check
from fuzz.mutations import Case, broken
from fuzz.reviews import admission_reviews
from fuzz.sweep import assert_still_answering, pods_to_delete_update, report, sweep
from fuzz.target import Target


def test_admission_reviews(target: Target) -> None:
    sent_before = target.sent
    errors_before = len(target.errors())
    tally: Counter[str] = Counter()

    @fuzz_settings()
    @given(st.lists(broken(admission_reviews()), min_size=BATCH, max_size=BATCH))
    def answers_are_right(cases: list[Case]) -> None:
        sweep(target, cases, tally)

    answers_are_right()
    assert target.sent - sent_before >= EXAMPLES
    assert target.errors()[errors_before:] == []
    assert target.server_errors() == {}
    assert_still_answering(target)
    report("admission requests", target.sent - sent_before, tally)


def test_pod_reads_follow_only_pod_names(target: Target) -> None:
    """CloneSet updates newly naming pods in podsToDelete, some of them not pod names."""
    reads_before = len(target.pod_reads)
    tally: Counter[str] = Counter()

    @fuzz_settings(inputs=EXAMPLES // 4)
    @given(
        st.lists(
            broken(admission_reviews(kinds=("CloneSet",), operations=("UPDATE",))),
            min_size=BATCH,
            max_size=BATCH,
        )
    )
    def reads_are_pods(cases: list[Case]) -> None:
        sweep(target, cases, tally)

    reads_are_pods()
    # Whatever the draws reached, a path-like name is always tried once, and refused
    # without reading anything.
    traversal = pods_to_delete_update(["../configmaps/cm", "x/../../configmaps/cm"])
    [answer] = target.send([traversal])
    assert not check(traversal, answer)
    reads = target.pod_reads[reads_before:]
    assert ("../configmaps/cm", None) in reads
    assert all(kind in (None, "Pod") for _, kind in reads)
    report("CloneSet updates", sum(tally.values()), tally)
    print(f"{len(reads)} live pod reads")
