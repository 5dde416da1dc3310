"""Benchmarks of the ingest and the dashboard's read side (see docs/benchmarks.md).

Not tests and not part of CI: `make bench` runs the full set, `python -m bench.run --quick`
a tiny one (the smoke test in tests/bench/ runs it so the code cannot rot).
"""
