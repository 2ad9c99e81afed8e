"""Resource quantities as Go's ``resource.Quantity`` reads, rounds and writes them.

A quantity keeps its value (exact, here a ``Fraction``), the format its suffix implies
(decimal SI such as ``100m`` or ``1k``, binary SI such as ``1Gi``, or a decimal exponent
such as ``1e3``) and, when the text it was read from is already canonical, that text.
Writing it gives that text, or else the canonical form: the value as an integer times a
power of 1000 with the matching suffix (or of 1024 for binary values that are whole
numbers of at least 1024). ``"1000m"`` is written ``"1"``, ``"1536Mi"`` stays,
``"0.5Gi"`` is written ``"512Mi"``, ``"1.5"`` is written ``"1500m"``.

Reading rounds a value finer than a nano-unit away from zero to the next nano-unit;
``round_up`` rounds to a coarser unit the same way (the API server's defaulting rounds
every request and limit to milli-units).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

NANO = -9
MILLI = -3
_MAX_INT64 = 2**63 - 1
_MAX_INT64_DIGITS = 18
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12}
_DECIMAL_SUFFIXES |= {"P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_POWER = {0: "", **{e // 10: s for s, e in _BINARY_SUFFIXES.items()}}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_GO_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str
    text: str | None = None
    """The text read, kept when it was already canonical."""
    scale: int | None = None
    """The decimal scale of the value when Go holds it as a scaled int64 (None otherwise)."""

    def __str__(self) -> str:
        return self.text if self.text is not None else canonical(self.value, self.format)

    def round_up(self, scale: int) -> Quantity:
        """``Quantity.RoundUp``: rounded away from zero to a multiple of ``10**scale``."""
        if self.scale is not None and self.scale >= scale:
            return self
        rounded = _round_away(self.value, scale)
        new_scale = scale if self.scale is not None else None
        return replace(self, value=rounded, text=None, scale=new_scale)


def _round_away(value: Fraction, scale: int) -> Fraction:
    unit = Fraction(10) ** scale
    steps = abs(value) / unit
    whole = math.ceil(steps)
    return Fraction(whole) * unit * (1 if value >= 0 else -1)


def parse_quantity(text: str) -> Quantity:
    """``resource.ParseQuantity``; ``ValueError`` for text Go refuses."""
    if text == "":
        raise ValueError("quantities must match the regular expression")
    if text == "0":
        return Quantity(Fraction(0), DECIMAL_SI, text, 0)
    positive, num, denom, suffix = _split(text)
    base, exponent, fmt = _interpret(suffix)
    fast = _fast_path(text, positive=positive, num=num, denom=denom, exponent=exponent, fmt=fmt)
    if fast is not None:
        return fast
    amount = Fraction(int(num + denom), 10 ** len(denom)) * (
        Fraction(10) ** exponent if base == 10 else 2**exponent
    )
    if amount != 0:
        amount = _round_away(amount, NANO)
    if fmt == BINARY_SI and amount > _MAX_INT64:
        amount = Fraction(_MAX_INT64)
    if fmt == BINARY_SI and 0 < amount < 1:
        fmt = DECIMAL_SI
    return Quantity(amount if positive else -amount, fmt)


def _fast_path(
    text: str, *, positive: bool, num: str, denom: str, exponent: int, fmt: str
) -> Quantity | None:
    """Go's int64 path: small enough values, with the text kept when canonical."""
    mantissa = 1
    if fmt == BINARY_SI:
        scale = 0
        if exponent < 0 or denom:
            return None
        mantissa = 1 << exponent
        precision = 15 - len(num) - exponent * 3 // 10 - 1
    else:
        scale = exponent
        precision = _MAX_INT64_DIGITS - (len(num) + len(denom))
    if precision < 0:
        return None
    scale -= len(denom)
    if scale < NANO:
        return None
    shifted = num + denom
    digits = int(shifted)
    result = digits * mantissa
    if result > _MAX_INT64:
        return None
    value = Fraction(result if positive else -result) * Fraction(10) ** scale
    if fmt == BINARY_SI:
        canonical_text = exponent % 10 == 0 and digits & 0x07 != 0
    else:
        canonical_text = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return Quantity(value, fmt, text if canonical_text else None, scale)


def _split(text: str) -> tuple[bool, str, str, str]:
    """Sign, integer digits (leading zeros gone), fraction digits, suffix."""
    pos, end = 0, len(text)
    positive = True
    if text[0] in "+-":
        positive = text[0] == "+"
        pos = 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "", ""
    start = pos
    while pos < end and text[pos].isdigit() and text[pos].isascii():
        pos += 1
    num = text[start:pos] or "0"
    denom = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos].isdigit() and text[pos].isascii():
            pos += 1
        denom = text[start:pos]
    suffix = text[pos:]
    if not _valid_suffix_shape(suffix):
        raise ValueError("quantities must match the regular expression")
    return positive, num, denom, suffix


def _valid_suffix_shape(suffix: str) -> bool:
    """Go's scan: suffix letters, then an optional sign and digits to the end."""
    i = 0
    while i < len(suffix) and suffix[i] in _SUFFIX_CHARS:
        i += 1
    if i < len(suffix) and suffix[i] in "+-":
        i += 1
    return all(ch.isascii() and ch.isdigit() for ch in suffix[i:])


def _interpret(suffix: str) -> tuple[int, int, str]:
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and _GO_INT.fullmatch(suffix[1:]):
        exponent = int(suffix[1:])
        if -(2**63) <= exponent < 2**63:
            # Go keeps the low 32 bits of the exponent.
            exponent = (exponent + 2**31) % 2**32 - 2**31
            return 10, exponent, DECIMAL_EXPONENT
    raise ValueError("unable to parse quantity's suffix")


def canonical(value: Fraction, fmt: str) -> str:
    """``Quantity.CanonicalizeBytes``: the canonical text of a value in a format."""
    if value == 0:
        return "0"
    if fmt == BINARY_SI:
        if -1024 < value < 1024:
            fmt = DECIMAL_SI
        else:
            whole = _round_away(value, 0)
            if whole != value:
                fmt = DECIMAL_SI
            else:
                return _binary(int(whole))
    elif fmt not in (DECIMAL_SI, DECIMAL_EXPONENT):
        fmt = DECIMAL_EXPONENT
    mantissa, exponent = _decimal_parts(value)
    if fmt == DECIMAL_EXPONENT:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    # An exponent with no SI suffix (beyond E or below n) is written without one, as Go does.
    return f"{mantissa}{_DECIMAL_BY_EXPONENT.get(exponent, '')}"


def _decimal_parts(value: Fraction) -> tuple[int, int]:
    """``value`` as mantissa * 10**exponent with the exponent a multiple of 3, the
    mantissa an integer with as few trailing zeros as that allows."""
    exponent = 0
    while value.denominator != 1:
        value *= 10
        exponent -= 1
    mantissa = int(value)
    while abs(mantissa) >= 10 and mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    if exponent % 3:
        step = exponent % 3
        mantissa *= 10**step
        exponent -= step
    return mantissa, exponent


def _binary(whole: int) -> str:
    power = 0
    magnitude = abs(whole)
    while magnitude >= 1024 and magnitude % 1024 == 0:
        magnitude //= 1024
        power += 1
    sign = "-" if whole < 0 else ""
    return f"{sign}{magnitude}{_BINARY_BY_POWER[power]}"


def go_quantity(raw: object) -> Quantity | None:
    """A JSON value as ``Quantity.UnmarshalJSON`` reads it (null is zero); None when Go
    would refuse it."""
    if raw is None:
        return Quantity(Fraction(0), "")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = repr(raw) if math.isfinite(raw) else ""
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        return None
    try:
        return parse_quantity(text)
    except ValueError:
        return None
