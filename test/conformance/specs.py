"""The specs of OpenKruise's e2e suite, found in its Go sources: every ``It`` with its file,
line and enclosing ``Describe``/``Context`` texts.

The line is what selects a spec when it runs (``--ginkgo.focus-file=<file>:<line>``):
v1alpha1 and v1beta1 specs share their texts, so a spec is never selected by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The spec files of the four kinds kruise-py ports, relative to e2e-specs/ (a copy of
# test/e2e/apps/ of the OpenKruise module).
SPEC_FILES = (
    "v1alpha1/cloneset.go",
    "v1alpha1/broadcastjob.go",
    "v1alpha1/advancedcronjob.go",
    "v1beta1/cloneset.go",
    "v1beta1/statefulset.go",
    "v1beta1/broadcastjob.go",
    "v1beta1/advancedcronjob.go",
)
KINDS = {
    "cloneset": "CloneSet",
    "statefulset": "StatefulSet",
    "broadcastjob": "BroadcastJob",
    "advancedcronjob": "AdvancedCronJob",
}

CONTAINERS = ("Describe", "Context", "When")
PENDING = ("PDescribe", "PContext", "PWhen", "XDescribe", "XContext", "XWhen", "PIt", "XIt")
_CALL = re.compile(
    r"(?:\bginkgo\.|(?<![\w.]))"
    r"(F?Describe|F?Context|F?When|F?It|PDescribe|PContext|PWhen|XDescribe|XContext|XWhen|PIt|XIt)"
    r"\("
)
# A spec that returns at once when the cluster has no default StorageClass passes without
# testing anything there.
_VACUOUS_WITHOUT_STORAGE_CLASS = re.compile(
    r"^\s*(?:ctx\s*:=[^\n]*\n\s*)?if\s+[\w.]*SkipIfNoDefaultStorageClass\(\w+\)\s*\{\s*return\b"
)


@dataclass(frozen=True)
class Spec:
    """One ``It`` of the suite."""

    file: str
    """Relative to e2e-specs/, e.g. ``v1alpha1/cloneset.go``."""
    line: int
    text: str
    containers: tuple[str, ...] = ()
    vacuous_without_storage_class: bool = False
    """It returns at once, passing, when the cluster has no default StorageClass."""

    @property
    def kind(self) -> str:
        stem = Path(self.file).stem
        return KINDS.get(stem, stem)

    @property
    def version(self) -> str:
        return Path(self.file).parent.name

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def full_text(self) -> str:
        return " ".join((*self.containers, self.text))

    def focus_file(self) -> str:
        """``--ginkgo.focus-file``'s value that selects exactly this spec: the file's path
        with its version folder (the same file name exists in both), then the line."""
        return f"/{re.escape(self.file)}:{self.line}"


@dataclass
class _Node:
    name: str
    text: str
    line: int
    depth: int
    start: int
    pending: bool
    entered: bool = False


def mask(source: str) -> str:
    """``source`` with comments and the insides of string and rune literals blanked out
    (newlines kept), so offsets and line numbers stay those of the source."""
    out = list(source)
    i, n = 0, len(source)

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif source[i] in "\"'`":
            end = _literal_end(source, i)
            blank(i + 1, end - 1)
            i = end
            continue
        else:
            i += 1
            continue
        blank(i, end)
        i = end
    return "".join(out)


def _literal_end(source: str, start: int) -> int:
    """The offset just past the string or rune literal starting at ``start``."""
    quote = source[start]
    i = start + 1
    while i < len(source):
        if source[i] == "\\" and quote != "`":
            i += 2
            continue
        if source[i] == quote:
            return i + 1
        if source[i] == "\n" and quote != "`":
            return i  # malformed; do not run away
        i += 1
    return i


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def first_argument(source: str, start: int) -> str:
    """The first argument of a call, ``start`` just past its ``(``: a string literal's
    value, or the expression's source when it is not a literal."""
    i = start
    while i < len(source) and source[i] in " \t\n":
        i += 1
    if source.startswith("`", i):
        return source[i + 1 : _literal_end(source, i) - 1]
    if source.startswith('"', i):
        raw = source[i + 1 : _literal_end(source, i) - 1]
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw)
    end = i
    while end < len(source) and source[end] not in ",)\n":
        end += 1
    return source[i:end].strip()


_TOKEN = re.compile(r"[{}]|" + _CALL.pattern)


def parse_specs(source: str, file: str) -> list[Spec]:
    """Every ``It`` of one Go file, in order; pending and commented-out ones are not specs."""
    code = mask(source)
    specs: list[Spec] = []
    stack: list[_Node] = []
    depth = 0
    for token in _TOKEN.finditer(code):
        if token.group() == "{":
            depth += 1
            for node in stack:
                node.entered = node.entered or depth == node.depth + 1
        elif token.group() == "}":
            depth -= 1
            while stack and stack[-1].entered and depth <= stack[-1].depth:
                node = stack.pop()
                if node.name == "It" and not node.pending:
                    specs.append(_spec(file, node, source[node.start : token.start()], stack))
        else:
            name = token.group(1)
            stack.append(
                _Node(
                    name=name.removeprefix("F"),
                    text=first_argument(source, token.end()),
                    line=source.count("\n", 0, token.start()) + 1,
                    depth=depth,
                    start=token.end(),
                    pending=name in PENDING or any(n.pending for n in stack),
                )
            )
    return specs


def _spec(file: str, node: _Node, body: str, stack: Sequence[_Node]) -> Spec:
    brace = body.find("{")
    statements = body[brace + 1 :] if brace >= 0 else body
    return Spec(
        file=file,
        line=node.line,
        text=node.text,
        containers=tuple(n.text for n in stack if n.name in CONTAINERS),
        vacuous_without_storage_class=bool(_VACUOUS_WITHOUT_STORAGE_CLASS.match(statements)),
    )


def load_specs(spec_dir: Path, files: Sequence[str] = SPEC_FILES) -> list[Spec]:
    """The specs of ``files`` under ``spec_dir`` (``e2e-specs/``), in file order."""
    specs: list[Spec] = []
    for file in files:
        specs += parse_specs((spec_dir / file).read_text(), file)
    return specs
