"""What handlers hear when lists and watch events are applied, without a server."""

from __future__ import annotations

from typing import Any

from support.cache_fakes import FakeServer, bookmark, obj

from kruise.runtime.cache import Informer
from kruise.runtime.client import CONFIGMAPS


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []

    def add(self, o: dict[str, Any]) -> None:
        self.events.append(("add", o["metadata"]["name"], o["metadata"]["resourceVersion"]))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        meta_old, meta_new = old["metadata"], new["metadata"]
        self.events.append(
            ("update", meta_new["name"], meta_old["resourceVersion"], meta_new["resourceVersion"])
        )

    def delete(self, o: dict[str, Any]) -> None:
        self.events.append(("delete", o["metadata"]["name"], o["metadata"]["resourceVersion"]))

    def take(self) -> list[tuple[str, ...]]:
        events, self.events = self.events, []
        return sorted(events)


def informer_with_recorder() -> tuple[Informer, Recorder]:
    informer = Informer(FakeServer(), CONFIGMAPS)
    recorder = Recorder()
    informer.add_event_handler(recorder.add, recorder.update, recorder.delete)
    return informer, recorder


def test_the_first_list_adds_everything_and_marks_the_informer_synced() -> None:
    informer, recorder = informer_with_recorder()
    assert not informer.has_synced
    informer.apply_list([obj("a", "5"), obj("b", "6")], "10")
    assert recorder.take() == [("add", "a", "5"), ("add", "b", "6")]
    assert informer.has_synced
    assert informer.resource_version == "10"


def test_a_relist_emits_exactly_what_changed_while_away() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([obj("same", "1"), obj("changed", "2"), obj("deleted", "3")], "3")
    recorder.take()
    kept = informer.get("same", "ns")

    informer.apply_list([obj("same", "1"), obj("changed", "7"), obj("new", "8")], "9")

    assert recorder.take() == [
        ("add", "new", "8"),
        ("delete", "deleted", "3"),
        ("update", "changed", "2", "7"),
    ]
    assert informer.get("same", "ns") is kept
    assert sorted(o["metadata"]["name"] for o in informer.list()) == ["changed", "new", "same"]
    assert informer.resource_version == "9"


def test_an_object_recreated_under_the_same_name_is_a_delete_and_an_add() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([obj("a", "1", uid="first")], "1")
    recorder.take()
    informer.apply_list([obj("a", "5", uid="second")], "5")
    assert recorder.events == [("delete", "a", "1"), ("add", "a", "5")]
    assert informer.get("a", "ns")["metadata"]["uid"] == "second"  # type: ignore[index]


def test_an_empty_relist_deletes_everything() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([obj("a", "1"), obj("b", "2")], "2")
    recorder.take()
    informer.apply_list([], "3")
    assert recorder.take() == [("delete", "a", "1"), ("delete", "b", "2")]
    assert len(informer.store) == 0


def test_watch_events_add_update_and_delete() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([], "1")
    informer.apply_event("ADDED", obj("a", "2"))
    informer.apply_event("MODIFIED", obj("a", "3"))
    informer.apply_event("DELETED", obj("a", "4"))
    assert recorder.events == [("add", "a", "2"), ("update", "a", "2", "3"), ("delete", "a", "4")]
    assert informer.resource_version == "4"


def test_a_delete_for_an_unknown_object_is_not_reported() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([], "1")
    informer.apply_event("DELETED", obj("ghost", "2"))
    assert recorder.events == []
    assert informer.resource_version == "2"


def test_bookmarks_only_advance_the_resource_version() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([obj("a", "1")], "1")
    recorder.take()
    informer.apply_event("BOOKMARK", bookmark("42"))
    assert informer.resource_version == "42"
    assert recorder.events == []
    informer.apply_event("SOMETHING", obj("a", "50"))
    assert informer.resource_version == "42"


def test_managed_fields_are_stripped_from_listed_and_watched_objects() -> None:
    informer, _ = informer_with_recorder()
    informer.apply_list([obj("a", "1")], "1")
    informer.apply_event("ADDED", obj("b", "2"))
    assert all("managedFields" not in o["metadata"] for o in informer.list())


def test_a_custom_transform_replaces_the_default() -> None:
    def keep_name_only(o: dict[str, Any]) -> dict[str, Any]:
        meta = o["metadata"]
        return {"metadata": {k: meta[k] for k in ("name", "namespace", "resourceVersion")}}

    informer = Informer(FakeServer(), CONFIGMAPS, transform=keep_name_only)
    informer.apply_list([obj("a", "1", x="y")], "1")
    assert informer.get("a", "ns") == {
        "metadata": {"name": "a", "namespace": "ns", "resourceVersion": "1"}
    }
    untouched = Informer(FakeServer(), CONFIGMAPS, transform=None)
    untouched.apply_list([obj("a", "1")], "1")
    assert "managedFields" in untouched.get("a", "ns")["metadata"]  # type: ignore[index]


def test_a_handler_added_later_gets_the_existing_objects_as_adds() -> None:
    informer, _ = informer_with_recorder()
    informer.apply_list([obj("a", "1"), obj("b", "2")], "2")
    late = Recorder()
    informer.add_event_handler(on_add=late.add)
    assert late.take() == [("add", "a", "1"), ("add", "b", "2")]


def test_a_failing_handler_is_logged_and_the_others_still_run() -> None:
    informer, recorder = informer_with_recorder()

    def broken(o: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    informer.add_event_handler(on_add=broken, on_delete=broken)
    after = Recorder()
    informer.add_event_handler(on_add=after.add)
    informer.apply_list([obj("a", "1")], "1")
    informer.apply_event("DELETED", obj("a", "2"))
    assert recorder.events == [("add", "a", "1"), ("delete", "a", "2")]
    assert after.events == [("add", "a", "1")]


def test_removed_handlers_hear_nothing_more() -> None:
    informer, _ = informer_with_recorder()
    recorder = Recorder()
    handle = informer.add_event_handler(on_add=recorder.add)
    assert informer.remove_event_handler(handle)
    assert not informer.remove_event_handler(handle)
    informer.apply_event("ADDED", obj("a", "1"))
    assert recorder.events == []


def test_resync_redelivers_every_object_as_an_update_to_itself() -> None:
    informer, recorder = informer_with_recorder()
    informer.apply_list([obj("a", "1"), obj("b", "2")], "2")
    recorder.take()
    informer.resync()
    assert recorder.take() == [("update", "a", "1", "1"), ("update", "b", "2", "2")]


def test_custom_indexes_follow_watch_events() -> None:
    informer, _ = informer_with_recorder()
    informer.add_index("by-tier", lambda o: [o["metadata"]["labels"].get("tier", "")])
    informer.apply_list([obj("a", "1", tier="front")], "1")
    informer.apply_event("MODIFIED", obj("a", "2", tier="back"))
    assert informer.store.by_index("by-tier", "front") == []
    assert [o["metadata"]["name"] for o in informer.store.by_index("by-tier", "back")] == ["a"]
