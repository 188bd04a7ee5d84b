"""The device registry (contracts/registry.ts on the TypeScript side): which design each array has.

The registry object a plant keeps (s3://<bootstrap>/registry/device_registry.json, the
ingest's --registry-uri) is {"devices": [row, ...]} in the columns of tables.json's
silver_device_registry. parse_registry checks it as contracts/registry.ts parseRegistry
does, with the same messages (test/fixtures/contracts/device-registry-cases.json);
design_of names the design a device is judged as, and whence. Python 3.9-compatible.
"""
import json
import struct

from pvfault.contracts import DEFAULT_DESIGN_NAME, DETECTOR_CONTRACT, DEVICE_ID_PATTERN, table_columns

REGISTRY_KEY = "registry/device_registry.json"
"""Where a stack keeps its registry in the bootstrap bucket (contracts/registry.ts REGISTRY_KEY)."""

_COLUMNS = table_columns("silver_device_registry")
_NAMES = [c["name"] for c in _COLUMNS]
# the per-unit shapes' length, from the contract itself so that checking a registry needs no numpy
# (pvfault.windows, which applies the shapes, reads the same list)
_SHAPE_TERMS = len(DETECTOR_CONTRACT["perUnit"]["shape"]["basis"])


class RegistryError(ValueError):
    pass


def _js(value):
    # as JavaScript's JSON.stringify writes a value in a message (integral floats without .0)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _check_value(kind, value):
    if kind == "string":
        return None if isinstance(value, str) and value else "must be a non-empty string"
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "int32":
        ok = number and float(value).is_integer() and 1 <= value <= 2 ** 31 - 1
        return None if ok else "must be a positive integer"
    if kind == "float64":
        return None if number and value == value and abs(value) != float("inf") and value > 0 else "must be a positive finite number"
    if kind == "float32[]":
        # the per-unit shapes (contracts/detector.json perUnit.shape): one coefficient per basis term
        ok = isinstance(value, list) and len(value) == _SHAPE_TERMS and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf") for x in value)
        return None if ok else "must be a list of %d finite numbers" % _SHAPE_TERMS
    return "has a type (%s) the registry does not hold" % kind


def _typed(kind, value):
    if value is None:
        return None
    if kind == "float32[]":
        # rounded to float32 as the table stores them (and contracts/registry.ts reads them into a Float32Array)
        return [struct.unpack("<f", struct.pack("<f", float(x)))[0] for x in value]
    return int(value) if kind == "int32" else float(value) if kind == "float64" else value


def _refuse_constant(name):
    # JSON has no NaN or Infinity; JavaScript's JSON.parse refuses them, and so does this
    raise ValueError(name)


def parse_registry(text, source):
    """The registry's rows (dicts in the table's column order) from its JSON text, sorted by deviceId.

    Raises RegistryError naming the place, as contracts/registry.ts parseRegistry.
    """
    def fail(where, why):
        raise RegistryError("device registry %s: %s%s%s" % (source, where, " " if where else "", why))

    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        fail("", "is not JSON")
    if not isinstance(doc, dict):
        fail("", 'must be an object {"devices": [...]}')
    others = [k for k in doc if not k.startswith("$") and k != "devices"]
    if others:
        fail("", "has keys other than devices: %s" % ", ".join(others))
    devices = doc.get("devices")
    if not isinstance(devices, list):
        fail("devices", "must be a list")
    seen = set()
    rows = []
    for i, raw in enumerate(devices):
        at = "devices[%d]" % i
        if not isinstance(raw, dict):
            fail(at, "must be an object")
        for k in raw:
            if k not in _NAMES:
                fail("%s.%s" % (at, k), "is not a column of silver_device_registry")
        for c in _COLUMNS:
            # a nullable column (added since the registry's version 6: the per-unit shapes) may be absent or null
            if c["nullable"] and raw.get(c["name"]) is None:
                continue
            if c["name"] not in raw:
                fail("%s.%s" % (at, c["name"]), "is missing")
            why = _check_value(c["type"], raw[c["name"]])
            if why:
                fail("%s.%s" % (at, c["name"]), "%s, got %s" % (why, _js(raw[c["name"]])))
        device_id = raw["deviceId"]
        if not DEVICE_ID_PATTERN.fullmatch(device_id):
            fail("%s.deviceId" % at, "%s does not match %s" % (_js(device_id), DEVICE_ID_PATTERN.pattern))
        if device_id in seen:
            fail("%s.deviceId" % at, "%s is listed twice" % _js(device_id))
        seen.add(device_id)
        # Spark's schema check refuses an int for a double column and a float for an integer one
        rows.append({n: _typed(c["type"], raw.get(n)) for n, c in zip(_NAMES, _COLUMNS)})
    # by UTF-16 code unit, as JavaScript compares strings (the ids are ASCII by the pattern)
    return sorted(rows, key=lambda r: r["deviceId"])


def missing_registry(uri):
    """Why an ingest fails when its --registry-uri names no object (contracts/registry.ts missingRegistry)."""
    return ("no device registry at %s: the stack writes it from pv-fault:design at pulumi up, or the operator "
            'uploads the plant\'s own (docs/contracts.md "Device registry"); nothing committed' % uri)


def read_registry(store, uri):
    """The registry's rows from the object `uri` names (parse_registry); a missing object fails the run
    before anything is read. store: a pvfault.sparkio store (read_bytes_uri). The daily ingest and the
    stream read it the same way."""
    data = store.read_bytes_uri(uri)
    if data is None:
        raise RuntimeError(missing_registry(uri))
    return parse_registry(data.decode("utf-8"), uri)


def design_of(registry, device_id):
    """{"design", "designSource"} of a device: its registry row's design, or the default design when the registry has none."""
    row = registry.get(device_id)
    if row is not None:
        return {"design": row["design"], "designSource": "registry"}
    return {"design": DEFAULT_DESIGN_NAME, "designSource": "default"}
