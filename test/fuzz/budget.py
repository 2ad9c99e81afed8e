"""How many inputs each property gets, and hypothesis settings that make a run repeatable.

``FUZZ_EXAMPLES`` is the number of requests per property (default 1,000, what ``make
test`` runs; ``make fuzz`` sends 10,000). Hypothesis runs derandomized, so a run is the
same run every time; ``FUZZ_SEED`` picks another, and a failure prints the smallest case
it shrank to and the blob that replays it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, seed, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
SEED = os.environ.get("FUZZ_SEED")
BATCH = 8  # cases per hypothesis example, sent at once


def fuzz_settings(inputs: int = EXAMPLES, batch: int = BATCH):  # type: ignore[no-untyped-def]
    """Hypothesis settings for ``inputs`` requests sent ``batch`` at a time."""
    configured = settings(
        max_examples=max(1, -(-inputs // batch)),
        deadline=None,
        derandomize=SEED is None,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )

    def apply(test):  # type: ignore[no-untyped-def]
        test = configured(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return apply
