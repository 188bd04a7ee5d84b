"""What a plant event was (contracts/detector.json alarms.plantGate.conditions).

The same function as detector/plantConditions.ts: the plant gate's events
(pvfault.alarms.plant_events) grouped into runs of consecutive slots, and each run
told apart by the plant's own readings (the sums of its devices' window means) against
the rest of its day: standby, power_limit, snow, frost, dew or unknown. The
arithmetic is done in the TypeScript's order, so the committed fixture
(test/fixtures/contracts/plant-condition-cases.json) is met exactly.
Python 3.9-compatible.
"""
import math

from pvfault.alarms import PLANT_GATE
from pvfault.windows import WINDOW_MS

RULES = PLANT_GATE["conditions"]
_V, _I, _T, _G = range(4)


def _total(slots):
    measured = 0
    sums = [0.0, 0.0, 0.0, 0.0]
    for s in slots:
        measured += s["measured"]
        for c in range(4):
            sums[c] += s["sums"][c]
    return measured, sums


def condition_kind(current_ratio, voltage_ratio, temperature, dawn, dusk, share, has_reference):
    """The kind by the contract's rules, first that holds (detector/plantConditions.ts conditionKind)."""
    raised = voltage_ratio is not None and voltage_ratio >= RULES["powerLimitVoltageAbove"]
    # a tracker off its maximum power point at the day's edges is a converter waking or going to sleep
    if (current_ratio is not None and current_ratio < RULES["standbyCurrentBelow"]) or (raised and (dawn or dusk)):
        return "standby"
    # a limited converter takes less current per irradiance; a plant soiled all day reads more at its bright noon than in its dim reference hours
    if raised and current_ratio is not None and current_ratio < RULES["powerLimitCurrentBelow"]:
        return "power_limit"
    if temperature < RULES["snowTemperatureBelow"] and (not has_reference or share >= RULES["snowShareAtLeast"]):
        return "snow"
    if dawn and not dusk and temperature < RULES["frostTemperatureBelow"]:
        return "frost"
    if dawn and not dusk:
        return "dew"
    return "unknown"


def plant_conditions(slots, events):
    """The plant-day's conditions, one per run of consecutive event slots, in time order.

    slots: {startMs: {"devices", "offNormal", "measured", "sums": [voltage, current,
    temperature, irradiance]}} for every slot of the plant-day; events: the starts
    pvfault.alarms.plant_events set aside. Returns gold_plant_condition rows (dicts, no
    modelVersion)."""
    if not events:
        return []
    starts = sorted(slots)
    counted = [s for s in starts if slots[s]["devices"] >= PLANT_GATE["minDevices"]]
    first, last = counted[0], counted[-1]
    ref_measured, ref = _total([slots[s] for s in counted
                                if s not in events and slots[s]["measured"] > 0
                                and slots[s]["sums"][_G] / slots[s]["measured"] >= RULES["referenceIrradiance"]])
    has_reference = ref_measured > 0 and ref[_G] > 0
    runs = []
    for i, s in enumerate(starts):
        if s not in events:
            continue
        if i > 0 and starts[i - 1] in events:
            runs[-1].append(s)
        else:
            runs.append([s])
    out = []
    for run in runs:
        in_run = [slots[s] for s in run]
        measured, sums = _total(in_run)
        temperature = sums[_T] / measured if measured > 0 else float("nan")
        current_ratio = voltage_ratio = None
        if has_reference and measured > 0:
            current_ratio = sums[_I] / sums[_G] / (ref[_I] / ref[_G]) if sums[_G] > 0 else 0.0
            reference_temperature = ref[_T] / ref_measured
            expected = (ref[_V] / ref_measured) * (1 + RULES["voltagePerKelvin"] * (temperature - reference_temperature))
            voltage_ratio = sums[_V] / measured / expected
        finite = math.isfinite(temperature)
        share = len(run) / len(counted) if counted else 1
        out.append({
            "startMs": int(run[0]),
            "endMs": int(run[-1]) + WINDOW_MS,
            "windows": len(run),
            "kind": condition_kind(current_ratio, voltage_ratio, temperature, first in run, last in run, share, has_reference) if finite else "unknown",
            "devices": max(s["devices"] for s in in_run),
            "temperature": temperature if finite else None,
            "currentRatio": current_ratio,
            "voltageRatio": voltage_ratio,
        })
    return out
