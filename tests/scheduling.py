"""How pytest-xdist hands the tests to its workers under `--dist loadfile` (scripts/test).

By file, as loadfile does: a module-scoped Compose stack is brought up once, by one worker.
Except the files listed here, whose tests each load their own page and share nothing: a
file is the unit of work, and test_pages.py alone (one test per page, each a page load and
two axe runs) was a minute of one worker while the others had finished.
"""
from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

# Files whose tests are spread over the workers one by one.
SPREAD_FILES = frozenset({
    "tests/site/test_pages.py",
    "tests/site/test_unused_css.py",
    "tests/reliability/test_faults.py",  # each test runs sessions of its own, a dozen seconds each
})
# Tests grouped by the page in their parameters ("[page/:file]" or "[page/]"): the tests of one
# page, across these functions, go to one worker and share its one load (loaded_page), while
# the pages spread over the workers: the copy buttons of every example file were two minutes
# of one worker, and the diagram tests loaded the same pages again elsewhere.
BY_PAGE = frozenset({
    "tests/site/test_features.py::test_the_copy_button_copies_the_example_file",
    "tests/site/test_features.py::test_diagrams_render_as_svg",
    "tests/site/test_features.py::test_the_build_draws_the_diagrams_so_the_page_loads_no_mermaid",
})


class FilesTogetherExceptSpreadOnes(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        test = nodeid.split("[", 1)[0]
        if test in BY_PAGE:
            page = nodeid.split("[", 1)[1].split(":", 1)[0].rstrip("]")
            return f"{path}[{page}]"
        return nodeid if path in SPREAD_FILES else path
