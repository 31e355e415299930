"""Output frames built through Arrow.

String columns of national outputs run to 10^5–10^6 rows (territory codes repeated every month,
event details, the run's tags). Built as Arrow arrays they become pandas' Arrow-backed ``str``
columns without one Python object per row; the frames, hence the Parquet bytes, are the same as
pandas builds from NumPy arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def strings(values) -> pa.Array:
    return pa.array(np.asarray(values, dtype=str), pa.large_string())


def tagged_frame(columns: dict, tags: dict, *, owned: bool = False) -> pd.DataFrame:
    """A frame of ``columns`` (NumPy or Arrow arrays of equal length) plus one constant column per
    tag (an int or a string, e.g. the run's seed and levers). A string tag is dictionary-encoded
    (a pandas categorical): the levers of a national run with all nine, repeated on each of its
    millions of events, would otherwise take most of the events frame's memory.

    ``owned``: the NumPy columns were built for this frame and nothing else holds them, so they
    become its columns as they are (writable, not copied: a national 50-year run's events hold
    ~7 M rows, 56 MB an integer column); otherwise they are copied, as the model's own series
    must not change under a frame already handed out."""
    size = len(next(iter(columns.values())))
    every = columns | {name: _constant(value, size) for name, value in tags.items()}
    if not owned:
        return pa.table(every).to_pandas()
    arrow = pa.table({name: c for name, c in every.items() if not isinstance(c, np.ndarray)})
    # string columns stay in Arrow's buffers (Arrow-backed ``str`` and categoricals)
    converted = arrow.to_pandas(split_blocks=True, self_destruct=True)
    return pd.DataFrame({name: c if isinstance(c, np.ndarray) else converted[name]
                         for name, c in every.items()}, copy=False)


def _constant(value: int | str, size: int) -> pa.Array | np.ndarray:
    if isinstance(value, str):
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(size, np.int32)),
                                              pa.array([value], pa.large_string()))
    return np.full(size, value, np.int64)
