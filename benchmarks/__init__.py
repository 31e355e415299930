"""Performance benchmarks (``python -m benchmarks.bench``) and the output regression record
(``python -m benchmarks.regression``); see docs/performance.md."""
