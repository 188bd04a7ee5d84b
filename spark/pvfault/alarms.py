"""A device-day's alarm from its windows' class probabilities (contracts/detector.json alarms).

The same decision as detector/alarms.ts: per alarm label (each fault class, then each
group of classes the channels cannot tell apart), a CUSUM of the windows' clipped
log-ratios against the label's strongest rival (normal or a class it does not stand
for); the first label to reach its threshold raises
the day's alarm. The plant gate (alarms.plantGate) sets aside the window slots where
much of the plant departed from normal at once: plant_slots / plant_events find them
over a plant-day's window rows, decide_alarm skips them.
test/spark/pvfault.test.ts runs both on the same days, and
test/fixtures/contracts/plant-gate-cases.json holds the gate equal. Plain Python
floats (not numpy): the decision is a few hundred operations a device-day.
Python 3.9-compatible.
"""
import collections
import json
import math
from datetime import date as _date, timedelta

from pvfault.contracts import DETECTOR_CONTRACT, FAULT_CLASSES
from pvfault.windows import WINDOW_MS

_SPEC = DETECTOR_CONTRACT["alarms"]
EPSILON = _SPEC["epsilon"]
SCORE_CLIP = _SPEC["scoreClip"]
GROUPS = tuple(_SPEC["groups"])
ALARM_LABELS = tuple(c for c in FAULT_CLASSES if c != "normal") + GROUPS
_MEMBERS = [[FAULT_CLASSES.index(c) for c in (_SPEC["groups"][l]["members"] if l in GROUPS else [l])] for l in ALARM_LABELS]


def check_rival_weights(spec, where="contracts/detector.json alarms.rivalWeights"):
    """alarms.rivalWeights checked -> {label: {class index: weight}}: a key that is not an alarm label,
    a class that is not the label's rival, or a weight outside (0, 1] raises ValueError naming it
    (a typo would otherwise leave the rule silently as without it). detector/alarms.ts checkRivalWeights."""
    if not isinstance(spec, dict):
        raise ValueError(f"{where} must be an object of alarm labels")
    weights = {}
    for label, rivals in spec.items():
        if label == "doc":
            continue
        if label not in ALARM_LABELS:
            raise ValueError(f"{where}.{label} is not an alarm label ({', '.join(ALARM_LABELS)})")
        if not isinstance(rivals, dict):
            raise ValueError(f"{where}.{label} must be an object of classes and weights")
        own = _MEMBERS[ALARM_LABELS.index(label)]
        by_class = {}
        for c, w in rivals.items():
            if c not in FAULT_CLASSES or FAULT_CLASSES.index(c) in own:
                raise ValueError(f"{where}.{label}.{c} is not a rival of {label} (normal or a class it does not stand for)")
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1:
                raise ValueError(f"{where}.{label}.{c} must be a weight in (0, 1], got {json.dumps(w)}")
            by_class[FAULT_CLASSES.index(c)] = float(w)
        weights[label] = by_class
    return weights


_RIVAL_WEIGHTS = check_rival_weights(_SPEC["rivalWeights"])
# per label: (class index, weight) of normal and every class it does not stand for, weighted where alarms.rivalWeights says
_RIVALS = [[(c, _RIVAL_WEIGHTS.get(ALARM_LABELS[l], {}).get(c, 1.0)) for c in range(len(FAULT_CLASSES)) if c not in m] for l, m in enumerate(_MEMBERS)]
_IS_CLASS = [l not in GROUPS for l in ALARM_LABELS]
# per label, the label indices of the classes it stands for (a group's members; a class itself)
_MEMBER_LABELS = [[ALARM_LABELS.index(FAULT_CLASSES[c]) for c in m] for m in _MEMBERS]
_NORMAL = FAULT_CLASSES.index("normal")

GROUP_LABEL_MIN_CONFIDENCE = _SPEC["groupLabel"]["minConfidence"]
"""contracts/detector.json alarms.groupLabel.minConfidence: the mean probability over its run a member class needs to name a group's alarm."""

CARRY_SHARE = _SPEC["carry"]["share"]
"""contracts/detector.json alarms.carry.share: what share of its threshold a carried label starts the day with."""

PLANT_GATE = _SPEC["plantGate"]
"""contracts/detector.json alarms.plantGate: minShare, minDevices, normalBelow."""
NO_EVENTS = frozenset()


def check_thresholds(thresholds, where):
    """alarms.json's thresholds: every label, each a positive number; raises naming what is wrong."""
    if not isinstance(thresholds, dict):
        raise ValueError("%s: thresholds must be an object of %s" % (where, ", ".join(ALARM_LABELS)))
    for label in ALARM_LABELS:
        v = thresholds.get(label)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError("%s: thresholds.%s must be a positive number, got %r" % (where, label, v))
    for k in thresholds:
        if k not in ALARM_LABELS:
            raise ValueError("%s: thresholds.%s is not an alarm label (%s)" % (where, k, ", ".join(ALARM_LABELS)))
    return dict(thresholds)


THRESHOLD_SETS = ("own", "fleet")
"""alarms.json's threshold sets: `own` for a device judged against its own baseline, `fleet`
for one without history yet, judged as the model was trained (its calibration bias is not
removed, so it needs more evidence). detector/alarms.ts THRESHOLD_SETS."""


def check_threshold_sets(thresholds, where):
    """alarms.json's thresholds: both sets, each complete (check_thresholds); raises naming what is wrong.

    A file with one flat set (written before the baselines) is refused, not read as both.
    """
    if not isinstance(thresholds, dict):
        raise ValueError("%s: thresholds must be an object with %s" % (where, " and ".join(THRESHOLD_SETS)))
    for k in thresholds:
        if k not in THRESHOLD_SETS:
            raise ValueError("%s: thresholds.%s is not a threshold set (%s)" % (where, k, ", ".join(THRESHOLD_SETS)))
    return {s: check_thresholds(thresholds.get(s), "%s thresholds.%s" % (where, s)) for s in THRESHOLD_SETS}


def thresholds_for(sets, baseline_days):
    """The thresholds a device-day is decided with: its own baseline's when it has history, else the fleet's."""
    return sets["own"] if baseline_days > 0 else sets["fleet"]


def check_raise(raise_sets, sets, where):
    """alarms.json's raise thresholds (the second stage, contracts/detector.json alarms.raise) against
    its thresholds `sets`: every group of every set, a positive number no higher than the group's
    threshold; raises naming what is wrong (detector/alarms.ts checkRaise, same messages)."""
    if not isinstance(raise_sets, dict):
        raise ValueError("%s has no raise thresholds (calibrated before 2026-12-04); run npm run calibrate" % where)
    for s in THRESHOLD_SETS:
        of_set = raise_sets.get(s)
        for g in GROUPS:
            v = of_set.get(g) if isinstance(of_set, dict) else None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or v > sets[s][g]:
                raise ValueError("%s: raise.%s.%s must be a positive number no higher than thresholds.%s.%s (%s), got %s"
                                 % (where, s, g, s, g, _js_number(sets[s][g]), "undefined" if v is None else json.dumps(v)))
    return {s: {g: raise_sets[s][g] for g in GROUPS} for s in THRESHOLD_SETS}


def _js_number(v):
    """A number as JavaScript prints it (30, not 30.0): the messages are the TypeScript's."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def raise_for(raise_sets, baseline_days):
    """The raise thresholds of the set a device-day is decided with (thresholds_for's); None: one stage."""
    return None if raise_sets is None else thresholds_for(raise_sets, baseline_days)


def _label_probability(p, l):
    return sum(p[c] for c in _MEMBERS[l])


def window_score(p, l):
    """ln((p_L + eps) / (p_rival + eps)), clipped: the rival is normal or a class L does not stand for, each at its weight (alarms.rivalWeights); p: one window's class probabilities."""
    rival = max(w * p[c] for c, w in _RIVALS[l])
    s = math.log((_label_probability(p, l) + EPSILON) / (rival + EPSILON))
    return max(-SCORE_CLIP, min(SCORE_CLIP, s))


CARRY_KEPT_BY_GROUP = bool(_SPEC["carry"]["keptByGroup"])
"""contracts/detector.json alarms.carry.keptByGroup: whether a window that reads a carried class's group keeps its carried evidence."""
# per label, the group whose reading keeps it when carried (the group that lists a class among its members); -1: none
_KEPT_BY = [next((g for g in range(len(ALARM_LABELS)) if not _IS_CLASS[g] and l in _MEMBER_LABELS[g]), -1) if CARRY_KEPT_BY_GROUP and _IS_CLASS[l] else -1
            for l in range(len(ALARM_LABELS))]


def _carried_score(p, l):
    """A carried label's score in a window while its run carried in is unbroken (alarms.carry keptByGroup):
    0 where its score is negative but its group's is not; elsewhere window_score. detector/alarms.ts carriedScore."""
    score = window_score(p, l)
    g = _KEPT_BY[l]
    return 0.0 if score < 0 and g >= 0 and window_score(p, g) >= 0 else score


def plant_slots(window_rows):
    """A plant-day's gold window rows (every device's; dicts with status, startMs, p_normal)
    -> [(startMs, devices, offNormal)] in start order: per window slot, the devices that
    predicted it and those whose normal probability is below the gate's normalBelow
    (detector/alarms.ts PlantSlots). The predict job computes the same with a Spark
    aggregation (spark/jobs/predict_fault.py); this is its plain-Python reference."""
    slots = {}
    below = PLANT_GATE["normalBelow"]
    for r in window_rows:
        if r["status"] != "predicted":
            continue
        slot = slots.setdefault(int(r["startMs"]), [0, 0])
        slot[0] += 1
        if float(r["p_normal"]) < below:
            slot[1] += 1
    return [(start, d, off) for start, (d, off) in sorted(slots.items())]


def plant_events(slots):
    """The plant events among slots [(startMs, devices, offNormal)]: the starts that at least
    minDevices predicted and where at least minShare of them departed from normal at once,
    spread to their neighbouring slots (in start order) while extendShare of the plant is
    off normal there (detector/alarms.ts PlantSlots.plantEvents). A frozenset of int starts."""
    g = PLANT_GATE
    slots = sorted((int(start), devices, off) for start, devices, off in slots)

    def share(i, least):
        _, devices, off = slots[i]
        return devices >= g["minDevices"] and off >= least * devices

    event = [share(i, g["minShare"]) for i in range(len(slots))]
    # an event spreads to its neighbours while at least extendShare of the plant is off normal there
    queue = [i for i, e in enumerate(event) if e]
    while queue:
        i = queue.pop()
        for j in (i - 1, i + 1):
            if 0 <= j < len(slots) and not event[j] and share(j, g["extendShare"]):
                event[j] = True
                queue.append(j)
    return frozenset(slots[i][0] for i in range(len(slots)) if event[i])


def is_alarm_label(verdict):
    """Whether a day's verdict (gold_daily verdict, device_baseline dayVerdict) is an alarm label."""
    return isinstance(verdict, str) and verdict in ALARM_LABELS


MIN_STANDING = _SPEC["carry"]["minStanding"]
"""contracts/detector.json alarms.carry.minStanding: how an alarm must stand at its day's end to be carried."""


def passed_on(verdict, standing):
    """The alarm a day passes on to the next (alarms.carry): its verdict when that is an alarm label
    standing at least minStanding at the day's end; else None. detector/alarms.ts passedOn."""
    if not is_alarm_label(verdict) or standing is None or isinstance(standing, bool) or standing != standing:
        return None
    return verdict if standing >= MIN_STANDING else None


def carried_alarm(row, baseline_date, date):
    """The alarm a device carries into `date` (contracts/detector.json alarms.carry): the verdict of its
    baseline row (dayVerdict, dayAlarmStanding: passed_on), read from the baseline table of
    `baseline_date`, only when that table is of the day before; else None. detector/alarms.ts carriedAlarm."""
    if row is None or baseline_date is None or baseline_date != (_date.fromisoformat(date) - timedelta(days=1)).isoformat():
        return None
    return passed_on(row.get("dayVerdict"), row.get("dayAlarmStanding"))


RECUR = _SPEC["recur"]
"""contracts/detector.json alarms.recur: the labels that recur by the clock (a shadow), and how they are re-armed."""
_DAY_MS = 86400000

Recurrence = collections.namedtuple("Recurrence", ["label", "from_ms", "to_ms"])
"""A label the day re-arms in the window starts from_ms..to_ms (alarms.recur). detector/alarms.ts Recurrence."""


def recurrence_after(label, onset_ms, raised_ms):
    """The recurrence a day's alarm leaves the next day (alarms.recur): for an alarm whose label recurs by
    the clock (a shadow), the span from a window before its onset to a window after its raise, 24 h later;
    for one that recurs at any time (an arc), from its raise to 48 h after it, which holds every window of
    the next day; else None (no alarm, another label, or times not known). detector/alarms.ts recurrenceAfter."""
    if not is_alarm_label(label) or not _known(onset_ms) or not _known(raised_ms):
        return None
    if label in RECUR["anyTime"]:
        return Recurrence(label, int(raised_ms), int(raised_ms) + 2 * _DAY_MS)
    if label not in RECUR["labels"]:
        return None
    return Recurrence(label, int(onset_ms) + _DAY_MS - RECUR["windowsBefore"] * WINDOW_MS,
                      int(raised_ms) + _DAY_MS + RECUR["windowsAfter"] * WINDOW_MS)


def _known(ms):
    # a null int64 may reach pandas as NaN
    return ms is not None and not isinstance(ms, bool) and ms == ms


def recurring_alarm(row, baseline_date, date):
    """The recurrence a device has on `date` (alarms.recur) from its baseline row (dayVerdict,
    dayAlarmOnsetMs, dayAlarmRaisedMs), read from the baseline table of `baseline_date`, only when that
    table is of the day before; else None. A row written before the tables contract's version 11 has no
    alarm times: nothing recurs from it. detector/alarms.ts recurringAlarm."""
    if row is None or baseline_date is None or baseline_date != (_date.fromisoformat(date) - timedelta(days=1)).isoformat():
        return None
    return recurrence_after(row.get("dayVerdict"), row.get("dayAlarmOnsetMs"), row.get("dayAlarmRaisedMs"))


def alarm_since(alarm, carried_since):
    """Since when the array has been alarmed for the fault of a day's alarm (gold_daily alarmSinceMs): the
    alarm's onset, or, when it continues the alarm carried in, carried_since (the day before's
    dayAlarmSinceMs; None when that day did not record it). None without an alarm. detector/alarms.ts alarmSince."""
    if alarm is None:
        return None
    return carried_since if alarm["continues"] else alarm["onsetMs"]


def alarm_standing(starts, probs, thresholds, label, plant_events=NO_EVENTS, carried=None):
    """How an alarm of `label` stood at the end of its day (device_baseline dayAlarmStanding): the label's
    evidence at the last predicted window as the decision carries it (the plant gate's windows set aside),
    divided by its threshold: from 0, or, when `label` is the label the day carried in (carried_alarm),
    from alarms.carry.share x its threshold with its carried run's windows scored as the decision scores
    them (_carried_score). detector/alarms.ts alarmStanding."""
    l = ALARM_LABELS.index(label)
    kept = carried == label and CARRY_SHARE > 0
    s = CARRY_SHARE * thresholds[label] if kept else 0.0
    for w, p in enumerate(probs):
        if starts[w] not in plant_events:
            s = max(0.0, s + (_carried_score(p, l) if kept else window_score(p, l)))
            if s == 0:
                kept = False
    return s / thresholds[label]


def evidence_trace(starts, probs, plant_events=NO_EVENTS):
    """The day's evidence per label after each window, counted on its own from 0: one list of
    ALARM_LABELS values per window; a window the plant gate set aside leaves it as it was.
    detector/alarms.ts evidenceTrace."""
    s = [0.0] * len(ALARM_LABELS)
    out = []
    for w, p in enumerate(probs):
        if starts[w] not in plant_events:
            s = [max(0.0, s[l] + window_score(p, l)) for l in range(len(ALARM_LABELS))]
        out.append(list(s))
    return out


def _within(starts, ends, plant_events, from_ms, to_ms):
    return [v for v in range(len(starts)) if starts[v] not in plant_events and starts[v] >= from_ms and ends[v] <= to_ms]


RUN = _SPEC["raise"]["run"]
"""contracts/detector.json alarms.raise run: the second stage also raises a group at the end of a run of windows that read clearly as it."""


def run_completed(starts, probs, plant_events, l):
    """The index of the window at whose end label l's score has been at least run.minScore in run.windows
    consecutive predicted windows for the first time, or -1 (a window the plant gate set aside neither
    extends nor breaks the run). detector/alarms.ts runCompleted."""
    run = 0
    for w in range(len(starts)):
        if starts[w] in plant_events:
            continue
        run = run + 1 if window_score(probs[w], l) >= RUN["minScore"] else 0
        if run >= RUN["windows"]:
            return w
    return -1


STEP = _SPEC["raise"]["step"]


def step_completed(starts, probs, plant_events, l, means):
    """The index of the window at whose end label l is raised by a step (alarms.raise step), or -1: the
    first predicted window (the plant gate's set aside) whose mean current per mean irradiance is at most
    step.maxRatio times the median of the same over the day's up to step.previousWindows previous
    predicted windows of at least step.minIrradianceWm2 (the upper middle value of an even count), the
    window itself that bright, and in which l scores at least step.minScore. means: per window its
    (meanCurrent, meanIrradiance) as measured, None where not known; None: no means, no step.
    detector/alarms.ts stepCompleted."""
    if means is None:
        return -1
    previous = []
    for w in range(len(starts)):
        if starts[w] in plant_events:
            continue
        current, irradiance = means[w]
        # a mean not known (None, NaN) neither raises nor counts
        if current is None or irradiance is None or math.isnan(current) or not irradiance >= STEP["minIrradianceWm2"]:
            continue
        ratio = current / irradiance
        if previous:
            ordered = sorted(previous)
            if ratio <= STEP["maxRatio"] * ordered[len(ordered) // 2] and window_score(probs[w], l) >= STEP["minScore"]:
                return w
        previous.append(ratio)
        if len(previous) > STEP["previousWindows"]:
            previous.pop(0)
    return -1


def raised_by_rule(starts, probs, plant_events, l, means=None):
    """The index of the window at whose end the second stage raises label l by a rule of the contract
    rather than at its raise threshold: the earlier of its run (run_completed) and its step
    (step_completed); -1: neither. detector/alarms.ts raisedByRule."""
    run = run_completed(starts, probs, plant_events, l)
    step = step_completed(starts, probs, plant_events, l, means)
    return step if run < 0 else run if step < 0 else min(run, step)


def _raised_early(starts, ends, probs, plant_events, named, raise_thresholds, means=None):
    """The second stage of a two-stage alarm (detector/alarms.ts raisedEarly): the first window at
    which a group's evidence (evidence_trace) reaches its raise threshold raises the day's alarm when
    the decision (`named`) has not raised one by then, or at the end of a run of windows that read clearly
    as the group (run_completed, alarms.raise run), or in which the array's current per irradiance falls
    at once while the window reads clearly as the group (step_completed, alarms.raise step); the alarm keeps the decision's label, onset (or
    the group's run's, if earlier), confidence and evidence, with the earlier raise and when the
    decision named it (labelledMs), and says it was raised as the group (raisedAs) when its label is
    another; with no decision all day, it is the group's, from its run, never named (labelledMs None)."""
    trace = evidence_trace(starts, probs, plant_events)
    raised = [(group, l, raise_thresholds[group], raised_by_rule(starts, probs, plant_events, l, means))
              for group, l in ((g, ALARM_LABELS.index(g)) for g in GROUPS) if raise_thresholds.get(group) is not None]
    for w in range(len(starts)):
        if named is not None and named["raisedMs"] <= ends[w]:
            return named
        for group, l, r, rule_at in raised:
            if trace[w][l] < r and w != rule_at:
                continue
            first = w
            while first > 0 and trace[first - 1][l] > 0:
                first -= 1
            raised_ms = int(ends[w])
            if named is not None:
                onset_ms = min(named["onsetMs"], int(starts[first]))
                out = dict(named, onsetMs=onset_ms, raisedMs=raised_ms, windows=len(_within(starts, ends, plant_events, onset_ms, raised_ms)),
                           labelledMs=named["labelledMs"])
                if named["label"] != group:
                    out["raisedAs"] = group
                return out
            run = _within(starts, ends, plant_events, int(starts[first]), raised_ms)
            return {"label": group, "onsetMs": int(starts[first]), "raisedMs": raised_ms,
                    "confidence": sum(_label_probability(probs[v], l) for v in run) / len(run),
                    "evidence": trace[w][l], "windows": len(run), "continues": False, "labelledMs": None}
    return named


def one_short_blocks(per_unit):
    """Whether a short of a single module leaves a string less open-circuit voltage than the array's
    maximum-power voltage at STC, from the device's registry row (a pvfault.windows.PerUnit:
    modulesPerString, vocStcV, vmpStcV): then every line-line short blocks its string
    (contracts/detector.json alarms.designGroups; detector/alarms.ts oneShortBlocks). False when not
    known (a registry row written before tables contract 13, or none)."""
    n, voc = per_unit.modulesPerString, per_unit.vocStcV
    return n is not None and voc is not None and n > 1 and (n - 1) / n * voc < per_unit.vmpStcV


def _group_of(label):
    return next(g for g in GROUPS if label in _SPEC["groups"][g]["members"])


_DESIGN_GROUP_OF = {c: _group_of(c) for c in _SPEC["designGroups"]["classes"]}


def _as_design_reads_it(alarm):
    """A listed class's alarm as its group's on a design where a short of one module blocks its string
    (alarms.designGroups; detector/alarms.ts asDesignReadsIt): raised when it was; a group raised first
    and named by the class later is the group's from its raise (no raisedAs), settled when the class
    crossed (labelledMs kept)."""
    group = _DESIGN_GROUP_OF.get(alarm["label"])
    if group is None:
        return alarm
    out = {k: v for k, v in alarm.items() if k != "raisedAs"}
    out["label"] = group
    return out


def decide_alarm(starts, ends, probs, thresholds, plant_events=NO_EVENTS, carried=None, raise_thresholds=None, recurring=None, short_blocks=False, means=None):
    """The day's alarm over its predicted windows in time order, or None.

    raise_thresholds: the second stage's raise threshold per group ({group: evidence},
    alarms.json raise; _raised_early: the product's decision); None: the decision alone, one
    stage (what calibration chooses the thresholds with). A two-stage alarm raised as a group
    before the decision gave it another label also has raisedAs (the group).

    probs: one sequence of class probabilities per window. plant_events: the window
    starts the plant gate set aside (plant_events()): they add nothing, as if the model
    had not seen them, and do not break an evidence run; confidence is the mean label
    probability over the run's other windows, and windows their count. carried: the label
    of the device's alarm the day before when it is carried (carried_alarm): its evidence
    starts at alarms.carry.share x its threshold, its run at the day's first window, and while that run is unbroken a window that reads its group keeps it (_carried_score, alarms.carry keptByGroup). Returns
    {label, onsetMs, raisedMs, confidence, evidence, windows, continues, labelledMs}: continues when
    the alarm is the carried label raised again with its run unbroken since the day began
    (alarm_since); labelledMs when the decision named its label (raisedMs when raised with it,
    later when raised early as its group, None when the decision never did). recurring: the label the
    day re-arms in the span of its alarm the day before (recurring_alarm, a Recurrence), or None.
    short_blocks: the device's design blocks a string with one module shorted (one_short_blocks of its
    PerUnit): a line_line alarm is then its group's (alarms.designGroups). means: per window its
    (meanCurrent, meanIrradiance) as measured (gold_window), each None where not known, for the second
    stage's step (step_completed, alarms.raise step); None: not known, no step.
    """
    if not (len(starts) == len(ends) == len(probs)):
        raise ValueError("decide_alarm: %d window starts, %d ends and %d probability rows" % (len(starts), len(ends), len(probs)))
    if means is not None and len(means) != len(starts):
        raise ValueError("decide_alarm: %d window starts and %d window means" % (len(starts), len(means)))
    named = _decide_named(starts, ends, probs, thresholds, plant_events, carried, recurring)
    alarm = named if raise_thresholds is None else _raised_early(starts, ends, probs, plant_events, named, raise_thresholds, means)
    return _as_design_reads_it(alarm) if alarm is not None and short_blocks else alarm


def _decide_named(starts, ends, probs, thresholds, plant_events, carried, recurring=None):
    """The decision's alarm (one stage): the first label whose evidence reaches its threshold; a group's
    may be named later that day by a member class read clearly (alarms.groupLabel)."""
    n_labels = len(ALARM_LABELS)
    limits = [thresholds[l] for l in ALARM_LABELS]
    s = [0.0] * n_labels
    run_start = [-1] * n_labels
    c = -1  # the label carried in (its index), -1: none
    if carried is not None and CARRY_SHARE > 0:
        if carried not in ALARM_LABELS:
            raise ValueError("decide_alarm: carried label %r is not an alarm label (%s)" % (carried, ", ".join(ALARM_LABELS)))
        c = ALARM_LABELS.index(carried)
        s[c] = CARRY_SHARE * limits[c]
        run_start[c] = 0
    if recurring is not None and recurring[0] not in ALARM_LABELS:
        raise ValueError("decide_alarm: recurring label %r is not an alarm label (%s)" % (recurring[0], ", ".join(ALARM_LABELS)))
    r = ALARM_LABELS.index(recurring[0]) if recurring is not None else -1
    # the alarm of a group that crossed first, held while its member classes may still name it (alarms.groupLabel)
    held = None

    def alarm_at(l, w):
        """label l's alarm raised at the end of window w, from its current run"""
        first = run_start[l]
        total = 0.0
        counted = 0
        for v in range(first, w + 1):
            if starts[v] in plant_events:
                continue
            total += _label_probability(probs[v], l)
            counted += 1
        # a run from the day's first window is the carried one: a run broken by a drain restarts later
        continues = carried is not None and ALARM_LABELS[l] == carried and first == 0
        return {"label": ALARM_LABELS[l], "onsetMs": int(starts[first]), "raisedMs": int(ends[w]),
                "confidence": total / counted, "evidence": s[l], "windows": counted, "continues": continues,
                "labelledMs": int(ends[w])}

    for w, p in enumerate(probs):
        if starts[w] in plant_events:
            continue
        if recurring is not None and recurring[1] <= starts[w] <= recurring[2]:
            # re-armed before the window's score: one window that reads enough like the label raises it
            armed = RECUR["share"] * limits[r]
            if s[r] < armed:
                # its run starts here unless one began before the span (what an armed window left does not count)
                if run_start[r] == -1 or starts[run_start[r]] >= recurring[1]:
                    run_start[r] = w
                s[r] = armed
        best = -1
        for l in range(n_labels):
            # the label carried in, while its run from the day's first window is unbroken, is kept by a window that reads its group (alarms.carry keptByGroup)
            score = _carried_score(p, l) if l == c and run_start[l] == 0 else window_score(p, l)
            nxt = max(0.0, s[l] + score)
            if nxt == 0:
                run_start[l] = -1
            elif run_start[l] == -1:
                run_start[l] = w
            s[l] = nxt
            if nxt < limits[l]:
                continue
            if best < 0 or _outranks(l, nxt / limits[l], best, s[best] / limits[best]):
                best = l
        if held is not None:
            # a member class at its threshold, read clearly over its run, names the group's alarm
            m = -1
            for l in held[1]:
                if s[l] >= limits[l] and (m < 0 or _outranks(l, s[l] / limits[l], m, s[m] / limits[m])):
                    m = l
            named = alarm_at(m, w) if m >= 0 else None
            if named is not None and named["confidence"] >= GROUP_LABEL_MIN_CONFIDENCE:
                group = held[0]
                onset_ms = min(named["onsetMs"], group["onsetMs"])
                return dict(named, onsetMs=onset_ms, raisedMs=group["raisedMs"], windows=len(_within(starts, ends, plant_events, onset_ms, group["raisedMs"])),
                            raisedAs=group["label"], labelledMs=named["raisedMs"])
            continue
        if best < 0:
            continue
        alarm = alarm_at(best, w)
        if _IS_CLASS[best]:
            return alarm
        # a group crossed first: its alarm stands, and the day goes on for its members (alarms.groupLabel)
        held = (alarm, _MEMBER_LABELS[best])
    return None if held is None else held[0]


def _outranks(a, ra, b, rb):
    """At one window where labels a and b both reached their thresholds (evidence / threshold ra and rb):
    whether a rather than b; a class wins over a group, then the larger ratio (detector/alarms.ts outranks)."""
    return (_IS_CLASS[a] and not _IS_CLASS[b]) or (_IS_CLASS[a] == _IS_CLASS[b] and ra > rb)
