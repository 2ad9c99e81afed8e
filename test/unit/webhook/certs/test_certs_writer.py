"""Atomic, change-only writes into the cert dir."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kruise.webhook.certs.writer import read_files, write_files

FILES = {
    "ca-cert.pem": b"ca cert",
    "ca-key.pem": b"ca key",
    "cert.pem": b"cert",
    "key.pem": b"key",
    "tls.crt": b"cert",
    "tls.key": b"key",
}


def test_writes_every_file_creating_the_dir(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "certs"
    changed = write_files(target, FILES)
    assert changed == ["ca-cert.pem", "ca-key.pem", "cert.pem", "key.pem", "tls.key", "tls.crt"]
    assert read_files(target, tuple(FILES)) == FILES
    assert sorted(p.name for p in target.iterdir()) == sorted(FILES)  # no temp files left


def test_every_file_and_the_dir_are_private(tmp_path: Path) -> None:
    target = tmp_path / "certs"
    write_files(target, FILES)
    modes = {name: stat.S_IMODE((target / name).stat().st_mode) for name in FILES}
    assert set(modes.values()) == {0o600}
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_unchanged_files_are_not_touched(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    before = {name: (tmp_path / name).stat().st_ino for name in FILES}
    assert write_files(tmp_path, FILES) == []
    assert {name: (tmp_path / name).stat().st_ino for name in FILES} == before


def test_only_what_changed_is_replaced_and_tls_crt_goes_last(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    ca_inode = (tmp_path / "ca-cert.pem").stat().st_ino
    renewed = {**FILES, "cert.pem": b"new cert", "tls.crt": b"new cert"}
    renewed |= {"key.pem": b"new key", "tls.key": b"new key"}
    assert write_files(tmp_path, renewed) == ["cert.pem", "key.pem", "tls.key", "tls.crt"]
    assert (tmp_path / "ca-cert.pem").stat().st_ino == ca_inode
    assert (tmp_path / "tls.crt").read_bytes() == b"new cert"


def test_a_reader_of_the_old_file_keeps_the_whole_old_content(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    with (tmp_path / "tls.crt").open("rb") as old:
        write_files(tmp_path, {**FILES, "tls.crt": b"replacement"})
        assert old.read() == b"cert"
    assert (tmp_path / "tls.crt").read_bytes() == b"replacement"


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, FILES)

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_files(tmp_path, {**FILES, "tls.crt": b"half"})
    assert (tmp_path / "tls.crt").read_bytes() == b"cert"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


def test_a_symlinked_file_is_replaced_by_a_plain_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"old")
    certs = tmp_path / "certs"
    certs.mkdir()
    os.symlink(elsewhere, certs / "tls.crt")
    write_files(certs, {"tls.crt": b"cert"})
    assert not (certs / "tls.crt").is_symlink()
    assert (certs / "tls.crt").read_bytes() == b"cert"
    assert elsewhere.read_bytes() == b"old"


@pytest.mark.parametrize("name", ["../escape", "", ".."])
def test_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        write_files(tmp_path, {name: b"x"})
