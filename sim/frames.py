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


def tagged_frame(columns: dict, tags: dict) -> pd.DataFrame:
    """A frame of ``columns`` (NumPy or Arrow arrays of equal length) plus one constant column per
    tag (an int or a string, e.g. the run's seed and levers). A string tag is dictionary-encoded
    (a pandas categorical): the levers of a national run with all nine, repeated on each of its
    millions of events, would otherwise take most of the events frame's memory."""
    size = len(next(iter(columns.values())))
    table = pa.table(columns | {name: _constant(value, size) for name, value in tags.items()})
    # one block per column, Arrow's buffers released as they are converted: numeric columns
    # are not copied into a consolidated block beside the Arrow table (the same frame)
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _constant(value: int | str, size: int) -> pa.Array:
    if isinstance(value, str):
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(size, np.int32)),
                                              pa.array([value], pa.large_string()))
    return pa.repeat(pa.scalar(value, pa.int64()), size)
