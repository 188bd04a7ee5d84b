/**
 * The two-stage alarm's shared fixture (test/fixtures/contracts/two-stage-alarm-cases.json):
 * it is what detector/alarms.ts decideAlarm makes now with raise thresholds
 * (test/python/test_two_stage_alarm.py replays it on the Spark side), and it covers the
 * second stage's cases.
 */
import { readFileSync } from 'node:fs';
import { decideAlarm } from '../../detector/alarms';
import { build, FIXTURE, RAISE, REWRITE, THRESHOLDS } from '../fixtures/contracts/two-stage-alarm-cases';

it('test/fixtures/contracts/two-stage-alarm-cases.json is what detector/alarms.ts makes now', () => {
  const committed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown;
  const now = JSON.parse(JSON.stringify(build())) as unknown;
  // logarithms of V8 (the evidence) are the same on every machine that builds it: compared exactly
  expect(JSON.stringify(committed) === JSON.stringify(now) ? 'current' : `stale: rewrite it with ${REWRITE}`).toBe('current');
});

it('covers a raise before the decision, a relabelled raise, a group never named, the decision first, gated windows and a carry', () => {
  const cases = build().cases;
  const earlier = cases.filter((c) => c.alarm && c.oneStage && c.alarm.raisedMs < c.oneStage.raisedMs);
  // raised earlier with the decision's own label (the group), and relabelled by a class crossing later
  expect(earlier.some((c) => c.alarm!.label === 'string_blocked' && !c.alarm!.raisedAs)).toBe(true);
  expect(earlier.filter((c) => c.alarm!.raisedAs === 'string_blocked' && c.alarm!.labelledMs === c.oneStage!.raisedMs && c.alarm!.label === c.oneStage!.label).length).toBeGreaterThanOrEqual(3);
  // a group that crossed first named later the same day by a member read clearly, and not by one that only leans (alarms.groupLabel)
  expect(cases.some((c) => c.oneStage?.raisedAs === 'string_blocked' && c.oneStage.label === 'line_ground' && c.oneStage.labelledMs! > c.oneStage.raisedMs)).toBe(true);
  expect(cases.some((c) => c.name.startsWith('a blocked string leaning') && c.oneStage?.label === 'string_blocked')).toBe(true);
  // raised as the group on a day the decision names nothing
  expect(cases.filter((c) => c.alarm?.label === 'string_blocked' && !c.oneStage).length).toBeGreaterThanOrEqual(2);
  // the decision first: the two stages give its alarm unchanged
  expect(cases.filter((c) => c.oneStage && JSON.stringify(c.alarm) === JSON.stringify(c.oneStage)).length).toBeGreaterThanOrEqual(10);
  // raised by a run of clear windows (alarms.raise run) before its evidence reached the raise threshold (15.5 here), and a set-aside window inside such a run
  const byRun = cases.filter((c) => c.name.startsWith('three clear windows') || c.name.startsWith('a window the plant gate set aside inside the run'));
  expect(byRun.map((c) => [c.alarm?.label, c.alarm!.evidence < 15.5, c.alarm!.windows])).toEqual([['string_blocked', true, 3], ['string_blocked', true, 3]]);
  expect(cases.find((c) => c.name.startsWith('a run broken'))!.alarm!.evidence).toBeGreaterThanOrEqual(15.5);
  // set-aside windows inside a raised run, and a carried label
  expect(cases.some((c) => c.plantEvents.length > 0 && c.alarm && !c.oneStage)).toBe(true);
  expect(cases.some((c) => c.carried !== null && c.alarm?.continues)).toBe(true);
  // on a design where a short of one module blocks its string (alarms.designGroups): line_line raised directly and
  // named after a group's raise both reported as the group, a leak kept, and the same days read line_line elsewhere
  const design = cases.filter((c) => c.oneShortBlocks);
  expect(design.map((c) => c.alarm?.label)).toEqual(['string_blocked', 'string_blocked', 'string_blocked', 'line_ground']);
  expect(design.every((c) => !c.alarm?.raisedAs)).toBe(true);
  const windows = (c: (typeof cases)[number]) => ({ startMs: c.startMs, endMs: c.endMs, probs: new Float32Array(c.probs.flat()) });
  expect(design.slice(0, 2).map((c) => decideAlarm(windows(c), THRESHOLDS, new Set(c.plantEvents), c.carried, RAISE, null, false)?.label)).toEqual(['line_line', 'line_line']);
  // a raise never comes later than the decision's, and never changes its label; the alarm is
  // labelled when the decision raised, and never when the decision raised nothing
  for (const c of cases) {
    // (one stage names when it raises, but a group that crossed first and a member named later: alarms.groupLabel)
    if (c.oneStage) expect([c.alarm!.label, c.alarm!.raisedMs <= c.oneStage.raisedMs, c.alarm!.labelledMs, c.oneStage.labelledMs]).toEqual([c.oneStage.label, true, c.oneStage.labelledMs, c.oneStage.raisedAs ? c.oneStage.labelledMs : c.oneStage.raisedMs]);
    else if (c.alarm) expect(c.alarm.labelledMs).toBeNull();
  }
});
