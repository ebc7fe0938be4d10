"""How ``make test`` spreads the suite over its workers (pytest-xdist, ``--dist loadgroup``)."""

import pytest


def test_a_files_tests_stay_together_in_the_parallel_run(request):
    """xdist groups a file's tests by appending the group to their node ids (tests/conftest.py); pytest
    9.2 no longer lets it change them (pytest-xdist issue 1386): every test was then spread on its own
    and each worker built the same module fixtures again, silently (constraints.txt pins pytest)."""
    grouped = request.node.get_closest_marker("xdist_group") is not None
    assert grouped
    if getattr(request.config.option, "loadgroup", False):  # a worker of a --dist loadgroup run
        assert request.node.nodeid.endswith("@tests.test_parallel_run"), (
            f"pytest {pytest.__version__} with this pytest-xdist does not group tests: install the "
            f"pytest that constraints.txt allows")
