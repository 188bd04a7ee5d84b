"""The Python side of the shared contracts, on the same vectors as the TypeScript tests."""
import json
import math
import os

import pytest

from conftest import FIXTURES, REPO
from pvfault import contracts

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _read_fixture(path):
    def hook(obj):
        if set(obj) == {"$float"}:
            return _SPECIAL[obj["$float"]]
        return obj

    with open(os.path.join(FIXTURES, path), encoding="utf-8") as f:
        return json.load(f, object_hook=hook)


CASES = _read_fixture("contracts/reading-cases.json")


def _build(case):
    record = dict(CASES["base"], **case.get("patch", {}))
    for key in case.get("remove", []):
        del record[key]
    return record


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_validate_reading_matches_shared_vectors(case):
    issues = contracts.validate_reading(_build(case))
    assert [[reason, field] for reason, field, _ in issues] == case["issues"]
    for _, field, message in issues:
        assert message.startswith(field + ":")


@pytest.mark.parametrize("value", CASES["notObjects"])
def test_validate_reading_rejects_non_objects(value):
    assert [(r, f) for r, f, _ in contracts.validate_reading(value)] == [("malformed", None)]


def test_messages_name_the_value_and_the_limit():
    record = dict(CASES["base"], voltage=2000)
    assert contracts.validate_reading(record)[0][2] == "voltage: 2000 V is above the maximum 1500 V"


def test_fault_classes_keep_the_model_output_order():
    assert contracts.FAULT_CLASSES == ("normal", "line_line", "line_ground", "open_circuit", "partial_shading", "arc_fault")


def test_table_columns_expand_per_class_in_order():
    names = [c["name"] for c in contracts.table_columns("gold_window")]
    assert [n for n in names if n.startswith("p_")] == ["p_" + c for c in contracts.FAULT_CLASSES]
    daily = [c["name"] for c in contracts.table_columns("gold_daily")]
    assert [n for n in daily if n.startswith("n_")] == ["n_" + c for c in contracts.FAULT_CLASSES]


def test_keys_match_the_typescript_layout():
    # same expectations as test/contracts/tables.test.ts
    assert contracts.data_key("silver_device_day", "2026-11-19", "exec-42", 0) == "device_day/date=2026-11-19/run=exec-42/part-00000.parquet"
    assert contracts.commit_key("gold_daily", "2026-11-19") == "daily/_commits/date=2026-11-19.json"
    with pytest.raises(ValueError, match="date"):
        contracts.data_key("gold_window", "2026-02-30", "r1", 0)
    with pytest.raises(ValueError, match="runId"):
        contracts.data_key("gold_window", "2026-11-19", "../x", 0)


@pytest.mark.parametrize("value,expected", [
    ("2026-11-19", True), ("2024-02-29", True), ("2026-02-29", False), ("2026-13-01", False),
    ("2026-1-01", False), ("20261119", False), ("", False), (None, False),
])
def test_is_valid_date(value, expected):
    assert contracts.is_valid_date(value) is expected


def test_reading_schema_is_the_avsc_file_verbatim():
    with open(os.path.join(REPO, "contracts", "reading.avsc"), encoding="utf-8") as f:
        assert contracts.READING_SCHEMA_JSON == f.read()


def test_avro_vectors_are_what_apache_avro_produces():
    """The bytes the TypeScript encoder is held to come from Apache Avro itself."""
    import sys
    sys.path.insert(0, os.path.join(FIXTURES, "contracts"))
    import generate_avro_vectors

    fixture = _read_fixture("contracts/reading-avro.json")
    assert fixture["vectors"] == generate_avro_vectors.vectors()


def test_apache_avro_reads_the_vectors_back_with_the_contract_schema():
    import io

    import avro.io
    import avro.schema

    schema = avro.schema.parse(contracts.READING_SCHEMA_JSON)
    for vector in _read_fixture("contracts/reading-avro.json")["vectors"]:
        decoder = avro.io.BinaryDecoder(io.BytesIO(bytes.fromhex(vector["avroHex"])))
        record = avro.io.DatumReader(schema).read(decoder)
        expected = vector["reading"]
        assert record["deviceId"] == expected["deviceId"]
        # the logical type makes Apache Avro return an aware UTC datetime
        assert round(record["timestamp"].timestamp() * 1000) == expected["timestamp"]
        for field in ("voltage", "current", "temperature", "irradiance"):
            assert record[field] == pytest.approx(expected[field], rel=1e-6, abs=1e-6)
