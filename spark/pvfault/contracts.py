"""The shared data contracts, read from the language-neutral files in contracts/.

The TypeScript side reads the same files (through contracts/generated.ts); tests on
both sides run the same fixtures, so the two cannot drift.
"""
import json
import math
import os
import re
from datetime import date as _date

_HERE = os.path.dirname(os.path.abspath(__file__))


def _contracts_dir():
    # Packaged with the job files on EMR (pvfault/contracts_data), or the repo's contracts/.
    candidates = [
        os.environ.get("PVFAULT_CONTRACTS_DIR"),
        os.path.join(_HERE, "contracts_data"),
        os.path.join(_HERE, "..", "..", "contracts"),
    ]
    for path in candidates:
        if path and os.path.isfile(os.path.join(path, "reading.avsc")):
            return os.path.abspath(path)
    raise FileNotFoundError("contracts not found; set PVFAULT_CONTRACTS_DIR to the folder holding reading.avsc")


CONTRACTS_DIR = _contracts_dir()


def _load(name):
    with open(os.path.join(CONTRACTS_DIR, name), encoding="utf-8") as f:
        return f.read()


READING_SCHEMA_JSON = _load("reading.avsc")
"""The Avro schema text, as Spark's from_avro takes it."""
READING_SCHEMA = json.loads(READING_SCHEMA_JSON)
FAULT_CLASSES = tuple(c["name"] for c in json.loads(_load("fault-classes.json"))["classes"])
TABLES_CONTRACT = json.loads(_load("tables.json"))
DEFAULT_DESIGN_NAME = json.loads(_load("designs.json"))["default"]
"""The design a device the registry does not list is judged as (contracts/design.ts DEFAULT_DESIGN_NAME)."""
DETECTOR_CONTRACT = json.loads(_load("detector.json"))
"""contracts/detector.json, read once here (no numpy) for pvfault.windows, pvfault.registry, pvfault.alarms and their readers."""

GRID_STEP_MS = TABLES_CONTRACT["grid"]["stepMs"]
LATENESS_MS = TABLES_CONTRACT["lateness"]["maxMs"]
"""How long after a day's end its readings may still be published (and still count for it)."""
QUALITY = {k: v for k, v in TABLES_CONTRACT["qualityCodes"].items() if k != "doc"}
QUARANTINE_REASONS = tuple(k for k in TABLES_CONTRACT["quarantineReasons"] if k != "doc")
SKIP_REASONS = tuple(k for k in TABLES_CONTRACT["skipReasons"] if k != "doc")
EMPTY_DAY_MIN_VALID_READINGS = TABLES_CONTRACT["emptyDay"]["minValidReadings"]


def _field_spec(field):
    avro_type = field["type"] if isinstance(field["type"], str) else field["type"]["type"]
    kind = "string" if avro_type == "string" else ("long" if avro_type == "long" else "float")
    return {
        "name": field["name"],
        "kind": kind,
        "unit": field.get("unit", ""),
        "min": field.get("min", -math.inf),
        "max": field.get("max", math.inf),
    }


READING_FIELDS = tuple(_field_spec(f) for f in READING_SCHEMA["fields"])
_FIELD_NAMES = {f["name"] for f in READING_FIELDS}
DEVICE_ID_PATTERN = re.compile(next(f["pattern"] for f in READING_SCHEMA["fields"] if f["name"] == "deviceId"))
READING_LIMITS = {f["name"]: (f["min"], f["max"], f["unit"]) for f in READING_FIELDS if f["kind"] != "string"}


def _fmt(value):
    # Mirrors the TypeScript messages closely enough for people; tests compare reasons and fields.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(text):
    # as the TypeScript quotes a string in a message (JSON, cut at 80 characters), so that a
    # quarantine row's detail is the same whichever job wrote it (JavaScript counts UTF-16 units)
    return json.dumps(text if len(text) <= 80 else text[:80] + "\u2026", ensure_ascii=False)


def _check_field(spec, value, issues):
    name = spec["name"]
    if value is None:
        issues.append(("missing_field", name, "%s: missing (the field is required)" % name))
        return
    if spec["kind"] == "string":
        if not isinstance(value, str):
            issues.append(("malformed", name, "%s: expected a string, got %r" % (name, value)))
        elif not DEVICE_ID_PATTERN.fullmatch(value):
            issues.append(("bad_device_id", name, "%s: %s does not match %s" % (name, _quoted(value), DEVICE_ID_PATTERN.pattern)))
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        issues.append(("malformed", name, "%s: expected a number, got %r" % (name, value)))
        return
    if isinstance(value, float) and not math.isfinite(value):
        issues.append(("non_finite", name, "%s: %s is not a finite number" % (name, value)))
        return
    if spec["kind"] == "long" and not float(value).is_integer():
        issues.append(("malformed", name, "%s: %s is not a whole number of %s" % (name, value, spec["unit"])))
        return
    if value < spec["min"] or value > spec["max"]:
        side = "below the minimum %s" % _fmt(spec["min"]) if value < spec["min"] else "above the maximum %s" % _fmt(spec["max"])
        issues.append(("out_of_range", name, "%s: %s %s is %s %s" % (name, _fmt(value), spec["unit"], side, spec["unit"])))


def validate_reading(record):
    """Every problem of an untrusted reading as (reason, field, message) tuples; [] when valid."""
    if not isinstance(record, dict):
        return [("malformed", None, "reading: expected an object, got %s" % type(record).__name__)]
    issues = []
    for spec in READING_FIELDS:
        _check_field(spec, record.get(spec["name"]), issues)
    for key in record:
        if key not in _FIELD_NAMES:
            issues.append(("unknown_field", key, "%s: not a field of the reading contract" % key))
    return issues


def table_columns(table):
    """The table's columns as dicts (name, type, nullable, doc), per-class columns expanded in class order."""
    out = []
    for col in TABLES_CONTRACT["tables"][table]["columns"]:
        base = {"type": col["type"], "nullable": bool(col.get("nullable", False)), "doc": col.get("doc", "")}
        if col.get("forEachClass"):
            out.extend(dict(base, name=col["name"].replace("{class}", c)) for c in FAULT_CLASSES)
        else:
            out.append(dict(base, name=col["name"]))
    return out


_DATE_RE = re.compile(TABLES_CONTRACT["storage"]["datePattern"])
_RUN_ID_RE = re.compile(TABLES_CONTRACT["storage"]["runIdPattern"])


def is_valid_date(value):
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return False
    try:
        _date.fromisoformat(value)
    except ValueError:
        return False
    return True


def data_key(table, date, run_id, part):
    if not is_valid_date(date):
        raise ValueError("date: %r is not a calendar date in YYYY-MM-DD form" % (date,))
    if not _RUN_ID_RE.fullmatch(run_id):
        raise ValueError("runId: %r does not match %s" % (run_id, _RUN_ID_RE.pattern))
    if not (isinstance(part, int) and 0 <= part <= 99999):
        raise ValueError("part: %r is not an integer in 0..99999" % (part,))
    prefix = TABLES_CONTRACT["tables"][table]["prefix"]
    return (TABLES_CONTRACT["storage"]["dataKey"]
            .replace("{prefix}", prefix).replace("{date}", date)
            .replace("{runId}", run_id).replace("{part}", "%05d" % part))


def commit_key(table, date):
    if not is_valid_date(date):
        raise ValueError("date: %r is not a calendar date in YYYY-MM-DD form" % (date,))
    prefix = TABLES_CONTRACT["tables"][table]["prefix"]
    return TABLES_CONTRACT["storage"]["commitKey"].replace("{prefix}", prefix).replace("{date}", date)


SUPERSEDED_GRACE_MS = TABLES_CONTRACT["storage"]["supersededGraceMs"]
"""How long a superseded run's files are kept after a rerun replaced them (contracts/tables.json storage.doc)."""


def superseded_key(table, date, run_id):
    """Key of the record of a superseded run (its old marker, kept while its files are)."""
    if not is_valid_date(date):
        raise ValueError("date: %r is not a calendar date in YYYY-MM-DD form" % (date,))
    if not _RUN_ID_RE.fullmatch(run_id):
        raise ValueError("runId: %r does not match %s" % (run_id, _RUN_ID_RE.pattern))
    prefix = TABLES_CONTRACT["tables"][table]["prefix"]
    return (TABLES_CONTRACT["storage"]["supersededKey"]
            .replace("{prefix}", prefix).replace("{date}", date).replace("{runId}", run_id))


def superseded_prefix(table):
    """The folder all superseded-run records of a table lie under."""
    template = TABLES_CONTRACT["storage"]["supersededKey"]
    return template[: template.index("date={date}")].replace("{prefix}", TABLES_CONTRACT["tables"][table]["prefix"])
