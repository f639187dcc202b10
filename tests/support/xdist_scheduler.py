"""``--dist loadgroup`` with the groups of tests/support/scheduling.py (why: its docstring).

Imported only when pytest-xdist runs the suite (tests/conftest.py's scheduler hook)."""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

from tests.support.scheduling import LONG_FIRST, group_of_nodeid


class FolderGroupScheduling(LoadGroupScheduling):
    """loadgroup with the groups of ``GROUPS``; the long units are handed out first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist that writes its suffix again
            return super()._split_scope(nodeid)
        return group_of_nodeid(nodeid) or nodeid

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:
            self._ordered = True
            rank = {scope: n for n, scope in enumerate(LONG_FIRST)}
            units = sorted(self.workqueue.items(), key=lambda unit: rank.get(unit[0], len(rank)))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)
