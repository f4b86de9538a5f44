"""Test files that the reliability tests run in a pytest session of their own (never collected
by the main run: their names do not start with `test_`). They read what to do from the
environment the outer test sets: PRIMER_SCENARIO_SLUG (a stack in tests/reliability/fixtures),
PRIMER_SCENARIO_UP_TIMEOUT, PRIMER_SCENARIO_DIR (a folder for marker files)."""
