"""Elementwise maths whose result does not depend on the processor.

NumPy dispatches ``np.power`` (and ``exp``, ``log``, ``sin``...) on float64 to SIMD kernels chosen
at run time: on a processor with AVX-512 they can differ from the scalar C library by one unit in
the last place. Such a difference in a quantity the model compares (a territory's land tension)
changes a run's outputs from one machine to another. Inputs computed once per run go through
the scalar C library instead, which is the same on every x86-64 machine with the same libm.
"""

from __future__ import annotations

import math

import numpy as np


def power(base: np.ndarray, exponent: float) -> np.ndarray:
    """``base ** exponent`` elementwise with the C library's scalar ``pow`` (for small arrays)."""
    values = np.asarray(base, dtype=np.float64)
    out = np.fromiter((math.pow(float(v), exponent) for v in values.ravel()),
                      dtype=np.float64, count=values.size)
    return out.reshape(values.shape)
