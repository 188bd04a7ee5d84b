"""The stream state's compaction plan (spark/pvfault/streamstate.py): every micro-batch, and every
replay of one after a failure at any step, reads each earlier micro-batch's rows exactly once, and
a day's view stays small. The job's use of it on real Spark: test/engines/streamState.test.ts."""
import random
from collections import Counter

import pytest

from pvfault import streamstate as ss


class Folder(object):
    """One state folder of one day: sub-folder name -> the micro-batch ids whose rows it holds."""

    def __init__(self):
        self.children = {}

    def listing(self):
        return ss.parse_children(self.children)

    def rows(self, runs, batches):
        out = Counter()
        for first, last in runs:
            out.update(self.children[ss.run_name(first, last)])
        for b in batches:
            out.update(self.children["batch=%d" % b])
        return out


class Crash(Exception):
    pass


def attempt(folder, batch_id, has_rows, every, crash_at=None):
    """One attempt of a micro-batch as the job runs it: write its own folder, read, compact, delete."""
    def step(name):
        if crash_at == name:
            raise Crash(name)

    if has_rows:
        folder.children["batch=%d" % batch_id] = [batch_id]
    step("own")
    batches, runs = folder.listing()
    before = folder.rows(*ss.view(batches, runs, batch_id, batch_id - 1))
    mine = folder.rows(*ss.view(batches, runs, batch_id, batch_id))
    step("read")
    plan = ss.compaction(batches, runs, batch_id, every)
    if plan is not None:
        (first, last), sources, loose = plan
        merged = sum((folder.children[ss.run_name(*r)] for r in sources), [])
        merged += sum((folder.children["batch=%d" % b] for b in loose), [])
        folder.children[ss.run_name(first, last)] = merged
        step("compact")
        runs = sorted(set(runs) | {(first, last)})  # as the job does, rather than listing again
    dead_runs, dead_batches = ss.garbage(batches, runs, batch_id)
    for i, r in enumerate(dead_runs):
        del folder.children[ss.run_name(*r)]
        if i == 0:
            step("delete")
    for b in dead_batches:
        del folder.children["batch=%d" % b]
    return before, mine


@pytest.mark.parametrize("every", [1, 2, 3, 4, 16])
@pytest.mark.parametrize("seed", range(6))
def test_every_micro_batch_and_every_replay_reads_each_earlier_batch_once(every, seed):
    rnd = random.Random(seed * 100 + every)
    folder = Folder()
    written = []
    for batch_id in range(300):
        has_rows = rnd.random() < 0.8  # a micro-batch with no reading of the day writes no folder
        crashes = [rnd.choice(["own", "read", "compact", "delete"]) for _ in range(rnd.choice([0, 0, 0, 1, 2]))]
        for crash in crashes + [None]:
            try:
                before, mine = attempt(folder, batch_id, has_rows, every, crash)
            except Crash:
                continue
            assert before == Counter(written), (batch_id, crash)
            assert mine == Counter(written + ([batch_id] if has_rows else [])), (batch_id, crash)
        if has_rows:
            written.append(batch_id)
        batches, runs = folder.listing()
        top, loose = ss.view(batches, runs, batch_id + 1, batch_id)
        if every >= 2:
            assert len(top) < every and len(loose) < every
        # nothing is left behind but the view and what the last micro-batch may still need
        assert len(folder.children) <= 2 * every + 2


def test_without_compaction_the_view_is_every_batch_folder():
    assert ss.compaction([0, 1, 2, 3], [], 3, every=0) is None
    assert ss.view([0, 1, 2, 3], [], 3, 2) == ([], [0, 1, 2])
    assert ss.garbage([0, 1, 2, 3], [], 4) == ([], [])


def test_a_run_a_failed_attempt_left_is_ignored_by_its_replay_and_used_after_it():
    # micro-batch 7 wrote run 4-7 and failed: its replay reads the folders, the next one the run
    assert ss.view([4, 5, 6, 7], [(4, 7)], 7, 6) == ([], [4, 5, 6])
    assert ss.view([4, 5, 6, 7], [(4, 7)], 8, 7) == ([(4, 7)], [])
    assert ss.garbage([4, 5, 6, 7], [(4, 7)], 7) == ([], [])
    assert ss.garbage([4, 5, 6, 7, 8], [(4, 7)], 8) == ([], [4, 5, 6, 7])


def test_runs_are_merged_once_the_view_holds_as_many_as_folders():
    runs = [(0, 3), (4, 7), (8, 11)]
    assert ss.compaction([12, 13, 14, 15], runs, 15, every=4) == ((0, 15), runs, [12, 13, 14, 15])
    assert ss.compaction([12, 13, 14, 15], runs[1:], 15, every=4) == ((12, 15), [], [12, 13, 14, 15])
    assert ss.compaction([12, 13, 14], runs, 14, every=4) is None


def test_other_names_in_a_days_folder_are_ignored():
    assert ss.parse_children(["batch=3", "_SUCCESS", "run=1-2", "run=5-4", "batch=x", "run=7-9"]) == ([3], [(1, 2), (7, 9)])
