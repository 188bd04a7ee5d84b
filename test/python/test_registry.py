"""spark/pvfault/registry.py against the cases contracts/registry.ts is held to."""
import json
import os

import pytest

from pvfault import contracts, registry
from pvfault.windows import per_unit_of

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(FIXTURES, "contracts", "device-registry-cases.json"), encoding="utf-8") as _f:
    CASES = json.load(_f)


@pytest.mark.parametrize("case", CASES["valid"], ids=[c["name"] for c in CASES["valid"]])
def test_reads_valid_registries_in_device_order(case):
    rows = registry.parse_registry(case["text"], CASES["source"])
    assert [r["deviceId"] for r in rows] == case["deviceIds"]
    for r in rows:
        assert list(r) == [c["name"] for c in contracts.table_columns("silver_device_registry")]


@pytest.mark.parametrize("case", CASES["invalid"], ids=[c["name"] for c in CASES["invalid"]])
def test_refuses_invalid_registries_with_the_typescript_message(case):
    with pytest.raises(registry.RegistryError) as err:
        registry.parse_registry(case["text"], CASES["source"])
    assert str(err.value) == case["error"]


def test_names_the_design_and_whether_it_is_the_default():
    rows = {r["deviceId"]: r for r in registry.parse_registry(CASES["lookups"]["registry"], CASES["source"])}
    for c in CASES["lookups"]["cases"]:
        assert registry.design_of(rows, c["deviceId"]) == {"design": c["design"], "designSource": c["designSource"]}
        got = {k: list(v) if isinstance(v, tuple) else v for k, v in per_unit_of(rows.get(c["deviceId"]))._asdict().items()}
        assert got == c["perUnit"]
    assert registry.DEFAULT_DESIGN_NAME == contracts.DEFAULT_DESIGN_NAME == "legacy-5x3-cs5p-220m"
    assert registry.REGISTRY_KEY == "registry/device_registry.json"
