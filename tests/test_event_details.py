"""The events frame's details column built in a few Arrow calls (issue 20, thirteenth session)
holds, row by row, what the per-chunk concatenation it replaced gave."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from sim.events import EventKind, EventLog, Labelled, _details, _details_column


def _per_chunk(details: list, sizes: list[int]) -> pa.Array:
    """The code replaced: one `_details` per chunk, concatenated."""
    return pa.concat_arrays([_details(d, n) for d, n in zip(details, sizes, strict=True)])


def _check(details: list, sizes: list[int]) -> None:
    fast, slow = _details_column(details, sizes), _per_chunk(details, sizes)
    assert fast.type == slow.type == pa.large_string()
    assert fast.to_pylist() == slow.to_pylist()


def test_mixed_chunks_equal_the_per_chunk_concatenation():
    rng = np.random.default_rng(3)
    details, sizes = [], []
    for i in range(300):
        n = int(rng.integers(1, 6))
        choice = i % 7
        if choice == 0:
            d = ""
        elif choice == 1:
            d = ["open", "overdraft", "reserved;buyer=state"][i % 3]
        elif choice == 2:
            # two prefixes of one number type, interleaved (grouped by prefix when built)
            d = Labelled(("firm=", "lender=")[i % 2], rng.integers(0, 10**6, n))
        elif choice == 3:
            d = Labelled("employed=", rng.integers(0, 50, n).astype(np.int32))
        elif choice == 4:
            d = Labelled("share=", rng.random(n))
        elif choice == 5:
            d = np.array([f"from={rng.integers(0, 99)}é" for _ in range(n)])
        else:
            d = Labelled("flag=", np.array(["a", "bb", "c", "d", "e"][:n], dtype=object))
        details.append(d)
        sizes.append(n)
    _check(details, sizes)


@pytest.mark.parametrize(
    "details", [[""], ["x", "x"], [Labelled("p", np.arange(3))], [np.array(["a", "b"])]]
)
def test_single_kinds(details):
    _check(details, [2 if isinstance(d, str) else len(getattr(d, "values", d)) for d in details])


def test_a_runs_event_log_equals_the_per_chunk_concatenation():
    from sim.api import build_model

    model = build_model(
        [
            "territory=classroom",
            "horizon_months=24",
            "seed=1",
            "policies=[land_trust,reserved_markets,impact_vat,conditional_aid]",
        ]
    )
    model.run()
    chunks = model.events._chunks
    assert {type(c[4]) for c in chunks} >= {str, Labelled}
    _check([c[4] for c in chunks], [c[2].size for c in chunks])


def test_the_frame_keeps_its_rows_in_order():
    log = EventLog()
    log.record(0, EventKind.ENTRY, [1, 2], 0, "open")
    log.record(0, EventKind.FAILURE, [3], 1, Labelled("firm=", np.array([7])))
    log.record(1, EventKind.ENTRY, [4], 0, ["reserved;buyer=state"])
    frame = log.frame(np.array(["A", "B"]))
    assert list(frame.details) == ["open", "open", "firm=7", "reserved;buyer=state"]
