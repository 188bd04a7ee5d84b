"""A silver device-day -> model inputs (contracts/detector.json).

Gap fill, pywt CWT of each channel over the whole day, 64-slot windows with skip
reasons, asinh normalisation stacked NHWC float32, and each window's standardised
level features — exactly as detector/windows.ts does (shared fixtures in
test/fixtures/windows). Python 3.9-compatible.
"""
import collections
import functools

import numpy as np
import pywt

from pvfault.contracts import DETECTOR_CONTRACT, GRID_STEP_MS, QUALITY

CHANNELS = tuple(DETECTOR_CONTRACT["channels"])
WINDOW = DETECTOR_CONTRACT["window"]["length"]
WINDOW_MS = WINDOW * GRID_STEP_MS
"""A window's length in ms (a window slot's start to the next)."""
SCALES = np.arange(DETECTOR_CONTRACT["cwt"]["scaleFrom"], DETECTOR_CONTRACT["cwt"]["scaleTo"] + 1)
MAX_MISSING = DETECTOR_CONTRACT["skip"]["maxMissingFraction"]
MIN_IRRADIANCE = DETECTOR_CONTRACT["skip"]["minMeanIrradiance"]
LEVEL_STATISTICS = tuple(DETECTOR_CONTRACT["levels"]["statistics"])
LEVEL_FEATURES = tuple("%s.%s" % (c, s) for c in CHANNELS for s in LEVEL_STATISTICS)
if LEVEL_STATISTICS != ("mean", "std"):
    raise ValueError("window_levels computes mean and std; the contract asks for %r" % (LEVEL_STATISTICS,))
PER_UNIT = DETECTOR_CONTRACT["perUnit"]
PerUnit = collections.namedtuple("PerUnit", ["vmpStcV", "impStcA", "vmpDropPerKelvin", "voltageShape", "currentShape", "modulesPerString", "vocStcV"],
                                 defaults=(None, None, None, None))
"""What the model divides a device's voltage and current by, and maps them with: its registry row's
columns (detector/perUnit.ts PerUnitReference). The shapes are tuples of floats, None when zero or
absent (a registry written before tables contract 12, or the default design): no mapping.
modulesPerString and vocStcV are what the alarm reads of the design (contracts/detector.json
alarms.designGroups, pvfault.alarms.one_short_blocks): None when not known (no registry row, or
one written before tables contract 13)."""
DEFAULT_PER_UNIT = PerUnit(**PER_UNIT["default"])
PER_UNIT_COLUMNS = PerUnit._fields
"""The registry columns a device's PerUnit is read from (detector/perUnit.ts PER_UNIT_COLUMNS)."""
SHAPE = PER_UNIT["shape"]
SHAPE_TERMS = len(SHAPE["basis"])
if tuple(SHAPE["basis"]) != ("x", "x^2", "x^3", "y", "y^2", "x*y", "x^2*y", "x*y^2"):
    raise ValueError("to_per_unit computes the basis x, x^2, x^3, y, y^2, x*y, x^2*y, x*y^2; the contract asks for %r" % (SHAPE["basis"],))


def gap_filled(series):
    """NaN filled: linear between neighbours, nearest at the edges, zeros when nothing is known."""
    x = np.asarray(series, dtype=np.float64).copy()
    known = ~np.isnan(x)
    if not known.any():
        return np.zeros_like(x)
    idx = np.arange(len(x))
    # np.interp holds the edge values constant outside the known range, as the contract says
    x[~known] = np.interp(idx[~known], idx[known], x[known])
    return x


def windows_of(row):
    """[(index, startMs, endMs, skipReason or None)] for the day's full windows."""
    out = []
    samples = row["samples"]
    quality = np.asarray(row["quality"])
    irradiance = np.asarray(row["irradiance"], dtype=np.float64)
    for i in range(samples // WINDOW):
        sl = slice(i * WINDOW, (i + 1) * WINDOW)
        missing = int((quality[sl] == QUALITY["missing"]).sum()) / WINDOW
        g = irradiance[sl]
        valued = g[~np.isnan(g)]
        mean = float(valued.sum() / len(valued)) if len(valued) else 0.0
        reason = None
        if missing > MAX_MISSING:
            reason = "missing_data"
        elif mean < MIN_IRRADIANCE:
            reason = "low_irradiance"
        start = row["startMs"] + i * WINDOW * row["stepMs"]
        out.append((i, start, start + WINDOW * row["stepMs"], reason))
    return out


def window_mean(x, index):
    """Mean of x over window index's slots, summed one slot after the other as
    detector/windows.ts windowMeans does (not numpy's pairwise sum, nor Python 3.12's
    compensated sum()): the same double. gold_window's means and the day's ratio
    (pvfault.baseline.day_ratio) read it."""
    total = 0.0
    for v in x[index * WINDOW:(index + 1) * WINDOW].tolist():
        total += v
    return total / WINDOW


def filled_channels(row, gain=None):
    """{channel: float64 series}, gap-filled: what the CWT and the levels read.

    With a baseline gain (pvfault.baseline), the irradiance channel is multiplied by it:
    the device is judged against its own relation of current to irradiance.
    """
    return with_gain({c: gap_filled(row[c]) for c in CHANNELS}, gain)


def with_gain(filled, gain):
    """The gap-filled channels with the irradiance multiplied by a baseline gain (None: the same dict).

    A new dict with a new irradiance series: the measured one stays for the day's ratio
    (pvfault.baseline.day_ratio). The product is float64 as in detector/windows.ts withGain.
    """
    if gain is None:
        return filled
    out = dict(filled)
    out["irradiance"] = filled["irradiance"] * float(gain)
    return out


def _shape_of(values):
    # a shape of zeros maps nothing: None, so the default design's inputs are the division alone (perUnit.ts shapeOf)
    if values is None:
        return None
    values = tuple(float(v) for v in values)
    return values if any(v != 0 for v in values) else None


def per_unit_of(row):
    """A registry row's (dict) PerUnit; the default design's for None (a device the registry has no row for)."""
    if row is None:
        return DEFAULT_PER_UNIT
    voltage, current = _shape_of(row.get("voltageShape")), _shape_of(row.get("currentShape"))
    n, voc = row.get("modulesPerString"), row.get("vocStcV")
    return PerUnit(float(row["vmpStcV"]), float(row["impStcA"]), float(row["vmpDropPerKelvin"]), voltage, current,
                   None if n is None else int(n), None if voc is None else float(voc))


def _shape_factor(shape, basis):
    """exp(sum of shape[k] * basis[k]), summed term after term as detector/perUnit.ts shapeFactor; 1 for no shape."""
    if shape is None:
        return 1.0
    total = np.zeros_like(basis[0])
    for k in range(SHAPE_TERMS):
        total = total + shape[k] * basis[k]
    return np.exp(total)


def to_per_unit(filled, per_unit):
    """The model's per-unit channels (contracts/detector.json perUnit), as detector/perUnit.ts toPerUnit.

    A new dict: voltage / (vmpStcV * max(minFactor, 1 - vmpDropPerKelvin * (T - 25))) slot by
    slot with the gap-filled module temperature, current / impStcA, then each times its
    shape's factor at the slot's irradiance (the baseline gain applied) and temperature
    (perUnit.shape; none for the default design); temperature and irradiance unchanged.
    float64, the same operations in the same order as the TypeScript (numpy's exp and log
    may differ from V8's in the last bit: equal within 1e-12, not bit for bit).
    """
    factor = np.maximum(PER_UNIT["minFactor"], 1 - per_unit.vmpDropPerKelvin * (filled["temperature"] - PER_UNIT["referenceTemperature"]))
    out = dict(filled)
    out["voltage"] = filled["voltage"] / (per_unit.vmpStcV * factor)
    out["current"] = filled["current"] / per_unit.impStcA
    if per_unit.voltageShape is not None or per_unit.currentShape is not None:
        # contracts/detector.json perUnit.shape: the design mapped onto the default design's at the slot's light and heat
        g_lo, g_hi = SHAPE["irradianceRange"]
        t_lo, t_hi = SHAPE["temperatureRange"]
        x = np.log(np.minimum(np.maximum(filled["irradiance"], g_lo), g_hi) / 1000)
        y = (np.minimum(np.maximum(filled["temperature"], t_lo), t_hi) - PER_UNIT["referenceTemperature"]) / 25
        basis = (x, x * x, x * x * x, y, y * y, x * y, x * x * y, x * y * y)
        out["voltage"] = out["voltage"] * _shape_factor(per_unit.voltageShape, basis)
        out["current"] = out["current"] * _shape_factor(per_unit.currentShape, basis)
    return out


def day_scalograms(row, filled=None):
    """{channel: (64, samples) float32} — pywt.cwt(x, np.arange(1, 65), 'morl') of the gap-filled series."""
    filled = filled if filled is not None else filled_channels(row)
    out = {}
    for c in CHANNELS:
        coefs, _ = pywt.cwt(filled[c], SCALES, "morl")
        out[c] = coefs.astype(np.float32)
    return out


@functools.lru_cache(maxsize=None)
def cwt_context():
    """(before, after): how many grid slots before and after a sample enter its CWT coefficients.

    Measured on pywt itself rather than derived from its source (which differs across
    versions): the coefficients of a unit impulse at the largest scale are non-zero exactly
    for the samples whose coefficients read it. The largest scale has the widest wavelet.
    """
    scale = int(SCALES.max())
    n = 64 * scale + 1
    centre = n // 2
    impulse = np.zeros(n)
    impulse[centre] = 1.0
    coefs, _ = pywt.cwt(impulse, [scale], "morl")
    reached = np.flatnonzero(coefs[0] != 0)
    # coefficient t reads sample `centre` when t - before <= centre <= t + after
    return int(reached.max() - centre), int(centre - reached.min())


EDGE_MODES = ("zero", "hold", "reflect")


def as_of_end_tensor(filled, index, scale, edge="reflect"):
    """(64, 64, 4) float32: window `index` as it reads the moment it ends, as detector/windows.ts asOfEndInputs.

    The CWT of the samples up to the window's last (from the transform's reach before it), the
    samples after it stood in for by `edge` (zero: nothing; hold: the last sample repeated;
    reflect: the samples before the end mirrored about it). The batch's window_tensor reads the
    reach after the window as well (512 slots, 2 h 50 min); this one needs nothing after it,
    so a stream can score a window as soon as it ends.
    """
    if edge not in EDGE_MODES:
        raise ValueError("edge must be one of %s, got %r" % (", ".join(EDGE_MODES), edge))
    before, after = cwt_context()
    first = index * WINDOW
    last = first + WINDOW
    start = max(0, first - before)
    planes = []
    for c in CHANNELS:
        x = np.asarray(filled[c], dtype=np.float64)
        if last > len(x):
            raise ValueError("window %d ends after the day's %d samples" % (index, len(x)))
        if edge == "zero":
            tail = np.zeros(after)
        elif edge == "hold":
            tail = np.full(after, x[last - 1])
        else:
            tail = x[np.maximum(start, last - 1 - np.arange(after))]
        coefs, _ = pywt.cwt(np.concatenate([x[start:last], tail]), SCALES, "morl")
        held = coefs[:, first - start:last - start].astype(np.float32)
        planes.append(np.arcsinh(held.astype(np.float64) / float(scale[c])))
    return np.stack(planes, axis=-1).astype(np.float32)


def raw_levels(filled, index):
    """(8,) float64: asinh of each channel's mean and population std over window `index`."""
    start = index * WINDOW
    out = []
    for c in CHANNELS:
        x = filled[c][start:start + WINDOW]
        mean = x.sum() / WINDOW
        out.append(np.arcsinh(mean))
        out.append(np.arcsinh(np.sqrt(((x - mean) ** 2).sum() / WINDOW)))
    return np.array(out, dtype=np.float64)


def window_levels(filled, index, levels):
    """(8,) float32: (asinh(stat) - center) / spread, with levels = normalization.json's "levels"."""
    center = np.asarray(levels["center"], dtype=np.float64)
    spread = np.asarray(levels["spread"], dtype=np.float64)
    return ((raw_levels(filled, index) - center) / spread).astype(np.float32)


def window_tensor(scalograms, index, scale):
    """(64, 64, 4) float32: asinh(coef / scale[channel]), height = scale, width = time."""
    start = index * WINDOW
    planes = [np.arcsinh(scalograms[c][:, start:start + WINDOW].astype(np.float64) / float(scale[c])) for c in CHANNELS]
    return np.stack(planes, axis=-1).astype(np.float32)


