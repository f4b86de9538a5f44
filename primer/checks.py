"""The test command's run, in the order that makes the published site the proven one.

    python -m primer.checks [pytest arguments]      (what scripts/test runs)

1. a Docker engine that answers (primer.provision), then the images the examples need
   (primer.images);
2. the proofs: the tests of the examples and of every claim, on the real engine; they write
   this run's reports (claims, captured output);
3. the site, built strictly into site/ from those reports: the site readers browse;
4. the rest: the checks of the built site (browser tests, page weight) on that very site/,
   and the tests of the tooling itself.

Arguments go to pytest in both test phases (`-k ports`; `-m slow` is combined with each
phase's own selection). A phase that selects nothing is fine as long as the other ran tests.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from . import ROOT
from .engine import ENGINE_LOST_EXIT
from .site import SITE_DIR, SiteBuildError, build_site

# (name, marker expression): the proofs first (tests/conftest.py marks them), with the few
# long tests marked `early` that need neither; then the rest: the checks of the site built
# from the proofs' reports, and the tests of the tooling, whose waits on the engine overlap
# the browser tests' work.
PHASES = (("proofs", "proof or early"), ("site and tooling", "not (proof or early)"))
NO_TESTS_COLLECTED = 5  # pytest's exit code when a selection is empty


def split_markexpr(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """The user's `-m EXPR` (any spelling pytest takes) and the other arguments."""
    expression, rest = None, []
    items = iter(args)
    for arg in items:
        if arg in ("-m", "--markexpr"):
            expression = next(items, "")
        elif arg.startswith("--markexpr="):
            expression = arg.split("=", 1)[1]
        elif arg.startswith("-m") and len(arg) > 2 and not arg.startswith("--"):
            expression = arg[2:]
        else:
            rest.append(arg)
    return expression, rest


def phase_markexpr(user: str | None, phase: str) -> str:
    return f"({user}) and {phase}" if user else phase


def combined_exit(codes: Sequence[int]) -> int:
    """0 when every phase passed or selected nothing (but not all of them); else the first failure's code."""
    failures = [code for code in codes if code not in (0, NO_TESTS_COLLECTED)]
    if failures:
        return failures[0]
    return NO_TESTS_COLLECTED if all(code == NO_TESTS_COLLECTED for code in codes) else 0


def run_pytest(markexpr: str, args: Sequence[str], env: dict[str, str]) -> int:
    workers = os.environ.get("PRIMER_WORKERS", "auto")
    # --dist loadfile: a module-scoped stack is brought up once, by one worker.
    command = [sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadfile", "-m", markexpr, *args]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str]) -> int:
    from .compose import compose_version
    from .images import main as provision_images
    from .provision import ProvisionError, ensure_engine

    try:
        ensure_engine()
    except ProvisionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    say(f"compose {compose_version()}")
    say("provisioning images")
    provision_images()
    user_markexpr, args = split_markexpr(argv)
    env = {**os.environ, "PRIMER_BUILT_SITE": str(SITE_DIR)}
    codes = []
    for name, expression in PHASES:
        if name != "proofs":
            say(f"building the site from this run's reports (mkdocs build --strict, into {SITE_DIR.relative_to(ROOT)}/)")
            try:
                build_site(SITE_DIR)
            except SiteBuildError as error:
                print(error, file=sys.stderr)
                return 1
        say(f"running the tests: {name} (-m '{phase_markexpr(user_markexpr, expression)}')")
        code = run_pytest(phase_markexpr(user_markexpr, expression), args, env)
        if code == ENGINE_LOST_EXIT:
            return code  # the line that says so is printed; the rest of the run would only fail
        codes.append(code)
    return combined_exit(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
