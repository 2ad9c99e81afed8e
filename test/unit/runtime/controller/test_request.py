"""Request: a (namespace, name) tuple that hashes, compares, prints and pickles as one."""

from __future__ import annotations

import copy
import pickle

from kruise.runtime.reconcile import Request


def test_the_hash_and_equality_are_those_of_the_fields() -> None:
    request = Request("ns", "a")
    assert hash(request) == hash(("ns", "a"))
    assert request == Request("ns", "a")
    assert request != Request("ns", "b")
    assert request != Request("other", "a")
    assert Request("ns", "a") < Request("ns", "b") < Request("nt", "a")
    assert {request: 1}[Request("ns", "a")] == 1


def test_it_prints_as_namespace_slash_name_and_reprs_its_fields() -> None:
    assert str(Request("ns", "a")) == "ns/a"
    assert str(Request("", "node-1")) == "node-1"
    assert repr(Request("ns", "a")) == "Request(namespace='ns', name='a')"


def test_it_is_built_from_an_object_s_metadata() -> None:
    assert Request.from_object({"metadata": {"namespace": "ns", "name": "a"}}) == ("ns", "a")
    cluster_wide = Request.from_object({"metadata": {"name": "node-1"}})
    assert cluster_wide == Request("", "node-1")


def test_copies_and_pickles_are_equal_and_hash_alike() -> None:
    request = Request("ns", "a")
    for clone in (pickle.loads(pickle.dumps(request)), copy.copy(request), copy.deepcopy(request)):
        assert clone == request
        assert type(clone) is Request
        assert hash(clone) == hash(request)
