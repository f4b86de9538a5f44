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
# Tests grouped by the page in their parameters ("[page/:...]"), so that the tests of one page
# share its one load (loaded_page) while the pages spread over the workers: the copy buttons
# of every example file were two minutes of one worker.
BY_PAGE = frozenset({
    "tests/site/test_features.py::test_the_copy_button_copies_the_example_file",
})


class FilesTogetherExceptSpreadOnes(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        test = nodeid.split("[", 1)[0]
        if test in BY_PAGE:
            return f"{test}[{nodeid.split('[', 1)[1].split(':', 1)[0]}]"
        return nodeid if path in SPREAD_FILES else path
