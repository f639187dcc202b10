"""Which tests are slow (marks) and which must share one xdist worker (groups), by folder.

tests/conftest.py gives each collected test its marks from here, so no test file carries one;
``FolderGroupScheduling`` (tests/support/xdist_scheduler.py) is ``--dist loadgroup`` reading the
groups from the same table.

Why a scheduler of our own: xdist's loadgroup finds a test's group in a suffix it writes into
the test's node id (``item._nodeid``); pytest 9 keeps node ids elsewhere (``item._id``), so the
suffix never arrives and every test would be its own unit -- two workers each building the
same seeded world, two served stacks on one Redis. The controller knows node ids only, which
start with the test's path, so the group is read from the path here.
"""

from __future__ import annotations

# Folder (or file) under tests/ -> the mark its tests get; `make test-fast` leaves these out.
SLOW_FOLDERS = {
    "e2e": "e2e",  # browser journeys: Playwright and Chromium against a live server
    "api": "fuzz",  # schemathesis over the whole API
    "faults": "faults",  # workers killed, Redis stopped and restarted
    "serve": "serve",  # gunicorn + Celery (scripts/serve.sh) on a database of its own
    "firstlook": "firstlook",  # `make run` with embedded engines, as a new user gets it
    "tenancy": "tenancy",  # every route of every role against two foreign worlds
    "security/test_production_mode.py": "serve",  # a production child process
}
# Tests that must run in one process (xdist worker): one served stack per run (two would share
# its Redis databases), the faults that stop Redis and kill workers while they time answers, the
# tests that drive a real Celery worker through the tests' broker, and modules whose costly
# module-scoped fixture (a seeded demo) is then built once, not once per worker.
GROUPS = {
    "faults": "stack",
    "serve": "stack",
    "firstlook": "firstlook",
    # The tenancy worlds cost a minute to build (three demo seeds), about half what the matrix
    # itself takes now: one worker builds them once and runs the whole matrix.
    "tenancy": "tenancy",
    "jingdezhen/test_celery.py": "broker",
    "jingdezhen/test_health.py": "broker",
    # The same demo seed, seeded by the first module of the group and copied back for the next
    # (tests/support/snapshot.py): one seed per group instead of one per module.
    "jingdezhen/test_demo_pages.py": "demo-20",
    "jingdezhen/test_crawl.py": "demo-20",
    "security/test_csp_every_page.py": "demo-3",
    "security/test_api_lockout.py": "demo-3",
    "orders/test_private_files.py": "demo-3",
    "jingdezhen/test_auth_and_home.py": "auth-and-home",
    "jingdezhen/test_dashboard.py": "dashboard",
}
# Long folders whose world is built once per module (the fuzzing's seed and schema): split into
# this many groups, so each worker builds it once and runs its part in one go (a test of another
# module in between would tear the world down and build it again).
SPLIT = {"api": 2}
# Units handed out first, longest first (group names, or the start of a split group's name): a
# long one started last would be the run's tail.
LONG_FIRST = ["firstlook", "stack", "tenancy", "api", "demo-20", "demo-3", "dashboard"]


def first_match(table: dict[str, str], where: str) -> str | None:
    """The value for the folder or file ``where`` (a path under tests/) falls in."""
    for prefix, value in table.items():
        if where == prefix or where.startswith(prefix + "/"):
            return value
    return None


def group_of_nodeid(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    return first_match(GROUPS, path.removeprefix("tests/"))


def split_of_nodeid(nodeid: str) -> tuple[str, int] | None:
    """The split folder of this test and its number of parts, if it is in one."""
    where = nodeid.split("::", 1)[0].removeprefix("tests/")
    for folder, parts in SPLIT.items():
        if where == folder or where.startswith(folder + "/"):
            return folder, parts
    return None


def rank(scope: str) -> int:
    """Where a unit goes in the queue: LONG_FIRST's order, the rest after (in their order)."""
    for n, name in enumerate(LONG_FIRST):
        if scope == name or scope.startswith(name + "-part"):
            return n
    return len(LONG_FIRST)
