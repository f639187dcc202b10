"""``--dist loadgroup`` with the groups of tests/support/scheduling.py (why: its docstring).

Imported only when pytest-xdist runs the suite (tests/conftest.py's scheduler hook)."""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

from tests.support.scheduling import group_of_nodeid, rank, split_of_nodeid


class FolderGroupScheduling(LoadGroupScheduling):
    """loadgroup with the groups of ``GROUPS`` and the parts of ``SPLIT``; long units first."""

    def __init__(self, config, log=None) -> None:
        super().__init__(config, log)
        self._ordered = False
        self._scopes: dict[str, str] = {}
        self._seen: dict[str, int] = {}

    def _split_scope(self, nodeid: str) -> str:
        scope = self._scopes.get(nodeid)
        if scope is None:
            scope = self._scopes[nodeid] = self._scope_of(nodeid)
        return scope

    def _scope_of(self, nodeid: str) -> str:
        if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist that writes its suffix again
            return super()._split_scope(nodeid)
        split = split_of_nodeid(nodeid)
        if split is not None:
            # The tests of a split folder, dealt in turn to its parts (in collection order).
            folder, parts = split
            n = self._seen[folder] = self._seen.get(folder, -1) + 1
            return f"{folder}-part{n % parts + 1}"
        return group_of_nodeid(nodeid) or nodeid

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:
            self._ordered = True
            units = sorted(self.workqueue.items(), key=lambda unit: rank(unit[0]))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)
