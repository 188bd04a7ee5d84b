"""Which of the stream's state folders a micro-batch reads, compacts and deletes (pure).

spark/jobs/stream_alarms.py keeps each micro-batch's rows of a day in a folder of their own
(<folder>/date=<day>/batch=<id>/): a micro-batch replayed after a failure rewrites only its own
folder, so nothing is lost or counted twice. Left alone, a day's folder then holds one
sub-folder per micro-batch, ~1,440 by the day's end with the 60-s trigger, and every
micro-batch lists and opens all of them (on S3 a request or more each). So the job compacts
them into runs (<folder>/date=<day>/run=<first>-<last>/: the rows of the micro-batches first..last,
each row keeping its batch):

- a micro-batch reads the *view* as of it: the runs written by micro-batches before it that
  no other such run contains, and the batch folders none of them covers;
- once that view holds `every` batch folders, the micro-batch writes them (its own included)
  into a new run; when the view holds `every` runs as well, it writes all of them (runs and
  folders) into one, so a day's view never holds more than `every` runs and `every` folders
  and each row is rewritten a few times a day, not once a micro-batch;
- what a later run covers is deleted only by a micro-batch after the one that wrote that run.

Why that order is safe: Spark replays only the last micro-batch that did not finish, before
any later one runs. Its view is of runs written before it, so the run its failed attempt may
have left (ending at its own id) is ignored and written again, and what that run covers has
not been deleted, since only later micro-batches delete. Every micro-batch therefore reads
each earlier micro-batch's rows exactly once (test/python/test_stream_state.py replays
failures at every step and checks it).

Python 3.9-compatible; no pyspark here.
"""
import re

COMPACT_EVERY = 16
"""Batch folders (and runs) a day's view may hold before they are written into one run (--compact-after)."""

_BATCH = re.compile(r"^batch=(\d+)$")
_RUN = re.compile(r"^run=(\d+)-(\d+)$")


def run_name(first, last):
    return "run=%d-%d" % (first, last)


def parse_children(names):
    """Sub-folder names of a day's folder -> (sorted batch ids, sorted runs (first, last)); other names are ignored."""
    batches, runs = set(), set()
    for name in names:
        m = _BATCH.match(name)
        if m:
            batches.add(int(m.group(1)))
            continue
        m = _RUN.match(name)
        if m and int(m.group(1)) <= int(m.group(2)):
            runs.add((int(m.group(1)), int(m.group(2))))
    return sorted(batches), sorted(runs)


def _contains(outer, inner):
    return outer != inner and outer[0] <= inner[0] and inner[1] <= outer[1]


def _covered(batch, runs):
    return any(first <= batch <= last for first, last in runs)


def view(batches, runs, batch_id, through):
    """(runs, batch ids) micro-batch `batch_id` reads for the rows of micro-batches up to `through`
    (batch_id - 1 for the state before it, batch_id with its own rows): the runs written before it
    that no other such run contains, and the batch folders up to `through` none of them covers."""
    earlier = [r for r in runs if r[1] < batch_id]
    top = sorted(r for r in earlier if not any(_contains(o, r) for o in earlier))
    return top, sorted(b for b in batches if b <= through and not _covered(b, top))


def garbage(batches, runs, batch_id):
    """(runs, batch ids) micro-batch `batch_id` may delete: those a run written before it covers.
    Its own view never reads them, and a replay of it reads the same view."""
    top, _ = view(batches, runs, batch_id, batch_id)
    return (sorted(r for r in runs if r[1] < batch_id and r not in top),
            sorted(b for b in batches if b < batch_id and _covered(b, top)))


def compaction(batches, runs, batch_id, every=COMPACT_EVERY):
    """The run micro-batch `batch_id` writes once its own folder is written, or None:
    ((first, last), runs it reads, batch ids it reads). every <= 0: never."""
    if every <= 0:
        return None
    top, loose = view(batches, runs, batch_id, batch_id)
    if len(loose) < every:
        return None
    sources = top if len(top) + 1 >= every else []
    first = min([loose[0]] + [r[0] for r in sources])
    return (first, batch_id), sources, loose
