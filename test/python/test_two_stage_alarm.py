"""The two-stage alarm (a group raised early, the day's decision giving the label) is the
TypeScript's: test/fixtures/contracts/two-stage-alarm-cases.json, built from
detector/alarms.ts decideAlarm with raise thresholds, replayed by alarms.decide_alarm."""
import json
import math
import os

import pytest

from pvfault import alarms

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
REL = 1e-12
FLOATS = ("confidence", "evidence")


@pytest.fixture(scope="module")
def fixture():
    with open(os.path.join(FIXTURES, "contracts", "two-stage-alarm-cases.json"), encoding="utf-8") as f:
        return json.load(f)


def _same(actual, expected, where):
    if expected is None:
        assert actual is None, "%s: %r against none" % (where, actual)
        return
    assert actual is not None and set(actual) == set(expected), "%s: %r against %r" % (where, actual, expected)
    for k, e in expected.items():
        if k in FLOATS:
            assert actual[k] == pytest.approx(e, rel=REL, abs=0), "%s %s: %r against %r" % (where, k, actual[k], e)
        else:
            assert actual[k] == e, "%s %s: %r against %r" % (where, k, actual[k], e)


def _means(case):
    """The case's windows' (meanCurrent, meanIrradiance), None where not known; None without means."""
    return None if case["means"] is None else [(m[1], m[3]) for m in case["means"]]


def _decide(fixture, case, raise_thresholds):
    r = case["recurring"]
    recurring = None if r is None else alarms.Recurrence(r["label"], r["fromMs"], r["toMs"])
    return alarms.decide_alarm(case["startMs"], case["endMs"], case["probs"], fixture["thresholds"],
                               frozenset(case["plantEvents"]), case["carried"], raise_thresholds, recurring, case["oneShortBlocks"],
                               _means(case))


def test_two_stage_alarms_are_the_typescripts(fixture):
    for case in fixture["cases"]:
        _same(_decide(fixture, case, fixture["raise"]), case["alarm"], case["name"])


def test_standings_are_the_typescripts_counting_what_was_carried_in(fixture):
    carried = 0
    for case in fixture["cases"]:
        alarm = case["alarm"]
        if alarm is None:
            assert case["standing"] is None, case["name"]
            continue
        standing = alarms.alarm_standing(case["startMs"], case["probs"], fixture["thresholds"], alarm["label"],
                                         frozenset(case["plantEvents"]), case["carried"])
        assert standing == pytest.approx(case["standing"], rel=REL, abs=1e-12), case["name"]
        carried += case["carried"] == alarm["label"]
    # the fixture holds alarms that continue a carried label, whose standing counts what it carried in
    assert carried >= 3


def test_one_stage_alarms_are_the_typescripts_raised_with_their_label(fixture):
    for case in fixture["cases"]:
        actual = _decide(fixture, case, None)
        _same(actual, case["oneStage"], case["name"] + " (one stage)")
        # one stage names when it raises, but a group that crossed first and a member named later (alarms.groupLabel)
        assert actual is None or ("raisedAs" not in actual and actual["labelledMs"] == actual["raisedMs"]) or (
            actual["raisedAs"] in alarms.GROUPS and actual["labelledMs"] > actual["raisedMs"])


def test_a_group_without_a_raise_threshold_is_raised_at_its_threshold_only(fixture):
    for case in fixture["cases"]:
        _same(_decide(fixture, case, {}), case["oneStage"], case["name"] + " (no raise)")


def test_evidence_trace_is_the_decisions_evidence():
    t = {label: 5.0 for label in alarms.ALARM_LABELS}
    starts, ends = [0, 10, 20], [10, 20, 30]
    probs = [[0.9, 0.02, 0.02, 0.02, 0.02, 0.02], [0.02, 0.9, 0.02, 0.02, 0.02, 0.02], [0.02, 0.9, 0.02, 0.02, 0.02, 0.02]]
    trace = alarms.evidence_trace(starts, probs)
    ll = alarms.ALARM_LABELS.index("line_line")
    alarm = alarms.decide_alarm(starts, ends, probs, t)
    assert alarm["label"] == "line_line" and alarm["evidence"] == pytest.approx(trace[2][ll], rel=1e-15)
    # a window set aside leaves every label's evidence as it was
    assert alarms.evidence_trace(starts, probs, frozenset([10]))[1] == alarms.evidence_trace(starts, probs)[0]


def test_rival_weights_are_the_contracts_and_checked():
    """contracts/detector.json alarms.rivalWeights: a shadow counts the classes of a blocked string at
    their weight (the fixture's split-shadow case replays it); a wrong key is named, as in the TypeScript."""
    spec = alarms.DETECTOR_CONTRACT["alarms"]["rivalWeights"]
    weights = alarms.check_rival_weights(spec)
    assert sorted(weights) == ["partial_shading"]
    oc = alarms.FAULT_CLASSES.index("open_circuit")
    assert weights["partial_shading"][oc] == spec["partial_shading"]["open_circuit"]
    shade = alarms.ALARM_LABELS.index("partial_shading")
    p = [0.05, 0.025, 0.025, 0.55, 0.3, 0.025]
    w = spec["partial_shading"]["open_circuit"]
    assert alarms.window_score(p, shade) == pytest.approx(math.log((0.3 + 1e-4) / (max(0.05, w * 0.55) + 1e-4)), rel=1e-12)
    assert alarms.window_score(p, alarms.ALARM_LABELS.index("open_circuit")) == pytest.approx(math.log((0.55 + 1e-4) / (0.3 + 1e-4)), rel=1e-12)
    for bad, message in [
        ({"partial_shading": {"partial_shading": 0.5}}, "partial_shading.partial_shading is not a rival of partial_shading"),
        ({"string_blocked": {"open_circuit": 0.5}}, "string_blocked.open_circuit is not a rival of string_blocked"),
        ({"partial_shading": {"open_circuit": 0}}, "must be a weight in (0, 1], got 0"),
        ({"partial_shading": {"open_circuit": True}}, "must be a weight in (0, 1], got true"),
        ({"shade": {"open_circuit": 0.5}}, "alarms.rivalWeights.shade is not an alarm label"),
    ]:
        with pytest.raises(ValueError) as e:
            alarms.check_rival_weights(bad)
        assert message in str(e.value)
    assert alarms.check_rival_weights({"doc": "only a doc"}) == {}


def test_the_run_of_clear_windows_completes_as_the_typescripts(fixture):
    """alarms.raise run: run_completed as detector/alarms.ts runCompleted (test/detector/alarms.test.ts holds the same cases)."""
    assert alarms.RUN == {"windows": 3, "minScore": 5}
    blocked = alarms.ALARM_LABELS.index("string_blocked")
    normal = [0.999] + [0.0002] * 5
    open_string = [0.0002, 0.0002, 0.0002, 0.999, 0.0002, 0.0002]
    starts = [w * 60000 for w in range(5)]
    clear = [normal] + [open_string] * 4
    assert alarms.run_completed(starts, clear, alarms.NO_EVENTS, blocked) == 3
    assert alarms.run_completed(starts, clear, frozenset([120000]), blocked) == 4
    assert alarms.run_completed(starts, [open_string, open_string, normal, open_string, open_string], alarms.NO_EVENTS, blocked) == -1
    # the fixture's cases raised by a run: raised there with evidence under the raise threshold
    by_run = [c for c in fixture["cases"] if c["name"].startswith("three clear windows")]
    assert by_run and all(c["alarm"]["evidence"] < fixture["raise"]["string_blocked"] for c in by_run)


def test_the_step_raises_as_the_typescripts(fixture):
    """alarms.raise step: step_completed as detector/alarms.ts stepCompleted, on the fixture's days with their means."""
    assert alarms.STEP is alarms.DETECTOR_CONTRACT["alarms"]["raise"]["step"]
    blocked = alarms.ALARM_LABELS.index("string_blocked")
    stepped = 0
    for case in fixture["cases"]:
        means = _means(case)
        at = alarms.step_completed(case["startMs"], case["probs"], frozenset(case["plantEvents"]), blocked, means)
        if means is None:
            assert at == -1, case["name"]
            continue
        run = alarms.run_completed(case["startMs"], case["probs"], frozenset(case["plantEvents"]), blocked)
        assert alarms.raised_by_rule(case["startMs"], case["probs"], frozenset(case["plantEvents"]), blocked, means) == (
            at if run < 0 else run if at < 0 else min(run, at)), case["name"]
        if at >= 0 and (run < 0 or at < run) and case["alarm"] is not None:
            # raised at the step, before any run (a decision that crossed earlier keeps its own raise)
            assert case["alarm"]["raisedMs"] <= case["endMs"][at], case["name"]
            stepped += 1
    # the fixture holds days the step raised sooner than a run would (the first named case among them)
    assert stepped >= 4
    first = next(c for c in fixture["cases"] if c["name"].startswith("a string stops conducting at noon"))
    assert first["alarm"]["raisedMs"] == first["endMs"][3]


def test_decide_alarm_names_means_of_another_length():
    with pytest.raises(ValueError, match="3 window starts and 2 window means"):
        alarms.decide_alarm([0, 1, 2], [1, 2, 3], [[1, 0, 0, 0, 0, 0]] * 3, {l: 5.0 for l in alarms.ALARM_LABELS}, means=[(1.0, 600.0)] * 2)


def test_a_design_blocks_a_string_with_one_module_shorted_as_the_typescript_reads_its_registry_row():
    from pvfault.windows import PerUnit
    # the 4 x 4 CdTe design (3 x 214.3 V against 4 x 172.8 V), the default 5 x 3 (4 x 59.4 V against 5 x 46.9 V), 16 x 2 poly-Si
    assert alarms.one_short_blocks(PerUnit(691.2, 8.92, 0.0032, None, None, 4, 857.2))
    assert not alarms.one_short_blocks(PerUnit(234.5, 14.07, 0.0052, None, None, 5, 297.0))
    assert not alarms.one_short_blocks(PerUnit(481.6, 16.6, 0.004, None, None, 16, 595.2))
    # not known: a row written before tables contract 13, or no row
    assert not alarms.one_short_blocks(PerUnit(691.2, 8.92, 0.0032, None, None, 4, None))
    assert not alarms.one_short_blocks(PerUnit(691.2, 8.92, 0.0032))
