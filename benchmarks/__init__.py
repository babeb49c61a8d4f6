"""Benchmarks: how centredesk's pipeline compares with the naive way, at scale.

``uv run python -m benchmarks [--rows N] [--only STAGE] [--repeat K] [--json OUT]`` generates
its inputs with the sample-data generator, runs every stage (ours and a naive baseline) in a
fresh subprocess so peak memory is per stage, and prints one table with PASS/FAIL against
the targets. It measures; it does not test, and it is not part of the test suite.
"""
