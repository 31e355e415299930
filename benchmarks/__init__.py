"""Performance benchmarks (``python -m benchmarks.bench``) and the output-hash regression record
(``python -m benchmarks.hashes``); see docs/performance.md."""
