"""How pytest-xdist hands the tests to its workers under `--dist loadfile` (scripts/test).

By file, as loadfile does: a module-scoped Compose stack is brought up once, by one worker.
Except the files listed here, whose tests share nothing and are spread one by one, and the
browser tests grouped by page below.
"""
from __future__ import annotations

# Files whose tests are spread over the workers one by one.
SPREAD_FILES = frozenset({
    "tests/site/test_unused_css.py",
    "tests/reliability/test_faults.py",  # each test runs sessions of its own, a dozen seconds each
})
# Tests grouped by the page in their parameters ("[page/:file]" or "[page/]"): the tests of one
# page, across these functions and files, go to one worker, one after another, and share its
# one load of the page (loaded_page), while the pages spread over the workers. The page's own
# checks come first (FIRST_OF_A_PAGE, sorted first by tests/site/conftest.py), on the page as
# it loaded.
FIRST_OF_A_PAGE = "tests/site/test_pages.py::test_page_loads_cleanly_offline_accessibly_in_both_schemes_and_fits_a_phone"
BY_PAGE = frozenset({
    FIRST_OF_A_PAGE,
    "tests/site/test_features.py::test_the_copy_button_copies_the_example_file",
    "tests/site/test_features.py::test_diagrams_render_as_svg",
    "tests/site/test_features.py::test_the_build_draws_the_diagrams_so_the_page_loads_no_mermaid",
    "tests/site/test_features.py::test_a_what_you_will_see_block_shows_the_command_and_its_output",
})


def page_of(nodeid: str) -> str | None:
    """The page a BY_PAGE test is about ("ports/", "index", "404.html"), else None."""
    if nodeid.split("[", 1)[0] not in BY_PAGE:
        return None
    return nodeid.split("[", 1)[1].split(":", 1)[0].rstrip("]")


def scope_of(nodeid: str) -> str:
    page = page_of(nodeid)
    if page is not None:
        return f"page[{page}]"
    path = nodeid.split("::", 1)[0]
    return nodeid if path in SPREAD_FILES else path


def scheduler(config, log):
    """The scheduler for `pytest_xdist_make_scheduler`; xdist is imported only when it asks."""
    from xdist.scheduler import LoadFileScheduling

    class FilesTogetherExceptSpreadOnes(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return FilesTogetherExceptSpreadOnes(config, log)
