"""Request's cached hash: the same value, never a field, never carried across processes."""

from __future__ import annotations

import copy
import dataclasses
import pickle

from kruise.runtime.reconcile import Request


def test_the_hash_is_the_field_hash_and_equality_is_unchanged() -> None:
    request = Request("ns", "a")
    assert hash(request) == hash(("ns", "a"))
    assert hash(request) == hash(request)  # cached now
    assert request == Request("ns", "a")
    assert request != Request("ns", "b")
    assert request != ("ns", "a")
    assert Request("ns", "a") < Request("ns", "b")
    assert {request: 1}[Request("ns", "a")] == 1


def test_the_cached_hash_is_not_a_field() -> None:
    request = Request("ns", "a")
    hash(request)
    assert [f.name for f in dataclasses.fields(request)] == ["namespace", "name"]
    assert dataclasses.asdict(request) == {"namespace": "ns", "name": "a"}
    assert repr(request) == "Request(namespace='ns', name='a')"


def test_copies_and_pickles_rebuild_from_the_fields() -> None:
    request = Request("ns", "a")
    hash(request)
    for clone in (pickle.loads(pickle.dumps(request)), copy.copy(request), copy.deepcopy(request)):
        assert clone == request
        assert "_hash" not in vars(clone)  # a string hash is only valid in one process
        assert hash(clone) == hash(request)
