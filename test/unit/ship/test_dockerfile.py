"""The image recipe, read statically (no Docker engine needed), and the wheel it installs.

The wheel is built the way the Dockerfile's build stage builds it: from only the files its
COPY lines bring in, as the build context (.dockerignore) lets them through.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.commands import pip_command

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """Each build stage from its FROM on (global ARGs before the first FROM are dropped)."""
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def global_args(instructions: list[Instruction]) -> dict[str, str]:
    args = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.args.partition("=")
            args[name] = default
    return args


def base_image(stage: list[Instruction], args: dict[str, str]) -> str:
    image = stage[0].args.split()[0]
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), image)


def runs(stage: list[Instruction]) -> list[str]:
    return [i.args for i in stage if i.keyword == "RUN"]


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return parse(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def build_stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    return stages(instructions)


@pytest.fixture(scope="module")
def final(build_stages: list[list[Instruction]]) -> list[Instruction]:
    return build_stages[-1]


@pytest.fixture(scope="module")
def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_parser_joins_continuations_and_drops_comments() -> None:
    text = "# c\nFROM a AS b\nRUN x \\\n  # inner\n  && y\nUSER 1\n"
    assert parse(text) == [
        Instruction("FROM", "a AS b"),
        Instruction("RUN", "x  && y"),
        Instruction("USER", "1"),
    ]


def test_multi_stage_with_a_named_build_stage(build_stages: list[list[Instruction]]) -> None:
    assert len(build_stages) >= 2
    first = build_stages[0][0].args.split()
    assert [w.lower() for w in first[1:]] == ["as", "build"]
    # The final stage takes the build stage's output, and nothing else from it.
    final_text = " ".join(i.args for i in build_stages[-1])
    assert re.search(r"(?:--from=build|\bfrom=build)\b", final_text)


def test_final_base_is_a_slim_python_of_a_supported_version(
    instructions: list[Instruction], final: list[Instruction], pyproject: dict[str, object]
) -> None:
    image = base_image(final, global_args(instructions))
    match = re.fullmatch(r"python:3\.(\d+)(?:\.\d+)?-slim(?:-\w+)?(?:@sha256:[0-9a-f]{64})?", image)
    assert match, f"final base {image!r} is not an official slim Python image"
    required = pyproject["project"]["requires-python"]  # type: ignore[index]
    minimum = int(re.fullmatch(r">=3\.(\d+)", required).group(1))  # type: ignore[union-attr]
    assert int(match.group(1)) >= max(minimum, 11)


def test_runs_as_a_numeric_non_root_user(final: list[Instruction]) -> None:
    users = [i for i in final if i.keyword == "USER"]
    assert users, "the final stage never leaves root"
    uid, _, gid = users[-1].args.partition(":")
    assert uid.isdigit(), "USER must be a numeric uid (runAsNonRoot cannot check a name)"
    assert int(uid) != 0
    assert not gid or (gid.isdigit() and int(gid) != 0)
    # Nothing after USER runs as someone else or installs anything.
    after = final[final.index(users[-1]) + 1 :]
    assert not [i for i in after if i.keyword in {"RUN", "USER"}]


def test_nothing_is_fetched_by_add(instructions: list[Instruction]) -> None:
    for instruction in instructions:
        if instruction.keyword == "ADD":
            assert not re.search(r"(https?|ftp|git)://|git@", instruction.args), instruction.args


def test_entrypoint_is_the_console_script_from_pyproject(
    final: list[Instruction], pyproject: dict[str, object]
) -> None:
    entrypoints = [i for i in final if i.keyword == "ENTRYPOINT"]
    assert len(entrypoints) == 1
    command = json.loads(entrypoints[0].args)  # exec form, so signals reach the manager
    assert command == ["kruise-manager"]
    scripts = pyproject["project"]["scripts"]  # type: ignore[index]
    assert command[0] in scripts
    assert not [i for i in final if i.keyword == "CMD"]


def test_pip_keeps_no_cache_and_the_final_stage_keeps_no_pip(
    build_stages: list[list[Instruction]], final: list[Instruction]
) -> None:
    pip_runs = [r for stage in build_stages for r in runs(stage) if re.search(r"\bpip\b", r)]
    assert pip_runs
    for run in pip_runs:
        for command in re.split(r"&&|;", run):
            if re.search(r"\bpip\s+(install|wheel)\b", command):
                assert "--no-cache-dir" in command, command
    final_runs = " ".join(runs(final))
    assert re.search(r"pip uninstall --yes pip\b", final_runs), "pip stays in the image"
    for compiler in ("gcc", "build-essential", "g++", "make "):
        assert compiler not in final_runs


def pip_installs(stage: list[Instruction]) -> list[str]:
    return [
        command.strip()
        for run in runs(stage)
        for command in re.split(r"&&|;", run)
        if re.search(r"\bpip\s+install\b", command)
    ]


def test_final_stage_installs_the_lock_then_kruise_py_alone(final: list[Instruction]) -> None:
    installs = pip_installs(final)
    assert len(installs) == 2
    locked, package = installs
    for install in installs:
        # From the build stage's files only: no index, so nothing new is fetched.
        assert "--no-index" in install
        assert "--find-links=/wheels" in install
    # Every dependency by the lock, each file's hash checked.
    assert "--require-hashes" in locked
    assert re.search(r"-r /wheels/runtime\.lock$", locked)
    # Then kruise-py, and nothing it might pull in beyond the lock.
    assert "--no-deps" in package
    assert re.search(r"\bkruise-py$", package)
    # No source tree is copied into the final image.
    assert not [i for i in final if i.keyword in {"COPY", "ADD"}]


def test_build_stage_fetches_exactly_the_locked_files(
    build_stages: list[list[Instruction]],
) -> None:
    build = build_stages[0]
    copies = [i.args for i in build if i.keyword == "COPY"]
    assert "requirements/runtime.lock /wheels/runtime.lock" in copies
    [download] = [r for r in runs(build) if re.search(r"\bpip download\b", r)]
    assert "--require-hashes" in download
    assert "--only-binary=:all:" in download  # released wheels, nothing compiled
    assert "--dest /wheels" in download
    assert download.rstrip().endswith("-r /wheels/runtime.lock")
    # kruise-py's own wheel carries no dependency of its own choosing.
    [wheel] = [r for r in runs(build) if re.search(r"\bpip wheel\b", r)]
    assert "--no-deps" in wheel


def test_writable_paths_match_the_deployment(final: list[Instruction]) -> None:
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env
    manager = (ROOT / "config" / "manager" / "manager.yaml").read_text()
    cert_dir = re.search(r"WEBHOOK_CERT_DIR=(\S+)", env)
    assert cert_dir
    assert f"mountPath: {cert_dir.group(1)}\n" in manager
    assert "mountPath: /tmp\n" in manager


def build_copies(stage: list[Instruction]) -> list[str]:
    """The context paths the build stage's COPY lines bring in."""
    sources = []
    for instruction in stage:
        if instruction.keyword == "COPY" and "--from" not in instruction.args:
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            sources += [w.rstrip("/") for w in words[:-1]]
    return sources


def test_build_stage_copies_what_the_wheel_is_built_from(
    build_stages: list[list[Instruction]], pyproject: dict[str, object]
) -> None:
    copied = set(build_copies(build_stages[0]))
    project = pyproject["project"]  # type: ignore[index]
    assert {"pyproject.toml", project["readme"]} <= copied
    finder = pyproject["tool"]["setuptools"]["packages"]["find"]  # type: ignore[index]
    for where in finder["where"]:
        if where != ".":
            assert where in copied
    assert "kruise" in copied
    assert re.search(r"pip wheel .*--wheel-dir /wheels \.$", " ".join(runs(build_stages[0])))
    assert "requirements/runtime.lock" in copied


# ---- .dockerignore ------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def dockerignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = line[1:] if include else line
        pattern = pattern.strip().removeprefix("./").rstrip("/")
        rules.append((include, _pattern_regex(pattern)))
    return rules


def excluded(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parents wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for include, regex in rules:
        if any(regex.fullmatch(c) for c in candidates):
            result = not include
    return result


@pytest.fixture(scope="module")
def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    return dockerignore_rules(DOCKERIGNORE.read_text())


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "bench/results/latest.json",
        "test/conftest.py",
        "config/default/kustomization.yaml",
        "kruise/__pycache__/__init__.cpython-311.pyc",
        "kruise/runtime/client/__pycache__/client.cpython-311.pyc",
        "kruise_py.egg-info/PKG-INFO",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/content",
        "build/lib/kruise/__init__.py",
        "kubeconfig",
    ],
)
def test_dockerignore_keeps_clutter_out(
    path: str, ignore_rules: list[tuple[bool, re.Pattern[str]]]
) -> None:
    assert excluded(path, ignore_rules)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "README.md",
        "kruise/__init__.py",
        "kruise/py.typed",
        "kruise/runtime/envtest/stages/pod-complete.yaml",
        "cmd/kruise_manager/main.py",
        "requirements/runtime.lock",
    ],
)
def test_dockerignore_lets_the_sources_in(
    path: str, ignore_rules: list[tuple[bool, re.Pattern[str]]]
) -> None:
    assert not excluded(path, ignore_rules)


def test_every_copied_path_survives_the_dockerignore(
    build_stages: list[list[Instruction]], ignore_rules: list[tuple[bool, re.Pattern[str]]]
) -> None:
    for source in build_copies(build_stages[0]):
        assert (ROOT / source).exists(), source
        assert not excluded(source, ignore_rules), source


# ---- the wheel ------------------------------------------------------------------------


def context_copy(source: Path, target: Path, rules: list[tuple[bool, re.Pattern[str]]]) -> None:
    """Copy ``source`` (a path in the repo) as the build context would carry it."""
    relative = source.relative_to(ROOT).as_posix()
    if source.is_file():
        if not excluded(relative, rules):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        return
    for child in sorted(source.iterdir()):
        context_copy(child, target / child.name, rules)


@pytest.fixture(scope="module")
def wheel(
    tmp_path_factory: pytest.TempPathFactory,
    build_stages: list[list[Instruction]],
    ignore_rules: list[tuple[bool, re.Pattern[str]]],
) -> Path:
    """The wheel the build stage makes, from what its COPY lines bring in."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    for source in build_copies(build_stages[0]):
        context_copy(ROOT / source, src / source, ignore_rules)
    out = work / "wheels"
    result = subprocess.run(
        [*pip_command(), "wheel", "--no-cache-dir", "--no-deps", "--wheel-dir", str(out), "."],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "kruise").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".py", ".yaml", ".typed"}
    }
    sources |= {
        p.relative_to(ROOT / "cmd").as_posix()
        for p in (ROOT / "cmd" / "kruise_manager").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert "kruise/runtime/envtest/stages/pod-complete.yaml" in sources
    assert sources - names == set()
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_declares_the_console_script(wheel: Path, pyproject: dict[str, object]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        parser = configparser.ConfigParser()
        parser.read_string(archive.read(entry_points).decode())
    scripts = dict(parser["console_scripts"])
    assert scripts["kruise-manager"] == "kruise_manager.main:main"
    assert scripts == pyproject["project"]["scripts"]  # type: ignore[index]


def test_the_installed_wheel_runs_on_its_own(wheel: Path, tmp_path: Path) -> None:
    """The console script's target imports from the wheel alone (no repo on the path)."""
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import kruise, kruise_manager.main as m; "
        "assert kruise.__file__.startswith(sys.argv[1]), kruise.__file__; "
        "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
        "import kruise.webhook.setup; "
        "sys.exit(m.main(['--help']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(unpacked)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("usage: kruise-manager")
