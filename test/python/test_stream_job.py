"""spark/jobs/stream_alarms.py without Spark: its arguments (those infra/streaming.ts passes),
its Kafka options (the ingest's security, a consumer group the job role may use), its alarm schema and its SNS notifier."""
import importlib.util
import json
import os
import re
import sys
import types

import pytest

from conftest import REPO
from pvfault import stream, streamstate
from pvfault.kafka import KAFKA_SECURITY

_spec = importlib.util.spec_from_file_location("stream_alarms", os.path.join(REPO, "spark", "jobs", "stream_alarms.py"))
job = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(job)

# what infra/streaming.ts streamJobArguments passes (test/infra/streaming.test.ts holds the flag list there)
EMR_ARGV = [
    "--time-zone", "Europe/Madrid", "--bootstrap-servers", "b-1.example:9098", "--topic", "pv-readings",
    "--gold-uri", "s3://gold", "--registry-uri", "s3://boot/registry/device_registry.json", "--model-uri", "s3://boot/model/v7",
    "--state-uri", "s3://silver/stream/state",
    "--checkpoint-uri", "s3://silver/stream/checkpoint", "--notify", "sns:arn:aws:sns:eu-west-1:123456789012:t",
    "--trigger", "60 seconds", "--starting-offsets", "latest", "--max-offsets-per-trigger", "1000",
    "--metrics-namespace", "PvFault/Stream", "--stage", "prod",
]


def test_the_job_takes_the_arguments_infra_passes():
    args = job.parse_args(EMR_ARGV)
    assert (args.checkpoint_uri, args.trigger, args.max_offsets_per_trigger, args.stage) == ("s3://silver/stream/checkpoint", "60 seconds", 1000, "prod")
    assert args.lateness_ms == stream.LATENESS_MS
    # the early tier is on unless told otherwise, with its own short watermark delay
    assert (args.no_early_alarms, args.early_lateness_ms) == (False, stream.EARLY_LATENESS_MS)
    assert job.parse_args(EMR_ARGV + ["--no-early-alarms"]).no_early_alarms


def test_each_tier_has_its_own_alarm_table_and_window_state():
    assert set(job.WINDOW_FOLDERS) == set(stream.TIERS)
    # an alarm table per kind of message: each tier's alarms, and the labels of early alarms published as their group
    assert set(job.ALARM_FOLDERS) == set(stream.MESSAGES) == set(stream.TIERS) | {"early_label"}
    assert len(set(job.ALARM_FOLDERS.values())) == 3 and len(set(job.WINDOW_FOLDERS.values())) == 2
    assert [f["name"] for f in job.window_schema_with_tier()["fields"]][-2:] == ["date", "tier"]


def test_the_checkpoint_defaults_to_the_state_folder():
    argv = EMR_ARGV[:EMR_ARGV.index("--checkpoint-uri")] + EMR_ARGV[EMR_ARGV.index("--checkpoint-uri") + 2:]
    assert job.parse_args(argv).checkpoint_uri == "s3://silver/stream/state/checkpoint"


def test_kafka_options_are_the_ingests_security_and_a_group_the_job_role_may_use():
    args = job.parse_args(EMR_ARGV)
    iam = job.kafka_stream_options(args)
    for k, v in KAFKA_SECURITY["SASL_SSL"].items():
        assert iam[k] == v
    assert iam["startingOffsets"] == "latest" and iam["maxOffsetsPerTrigger"] == "1000" and iam["failOnDataLoss"] == "false"
    assert job.kafka_stream_options(args, "PLAINTEXT")["kafka.security.protocol"] == "PLAINTEXT"
    with pytest.raises(ValueError, match="spark.pvfault.kafka.securityProtocol"):
        job.kafka_stream_options(args, "SSL")
    with open(os.path.join(REPO, "infra", "sparkJobs.ts"), encoding="utf-8") as f:
        pattern = re.search(r"SPARK_KAFKA_GROUP_PATTERN = '([^']+)'", f.read()).group(1)
    assert re.fullmatch(pattern.replace("*", ".*"), iam["groupIdPrefix"] + "-0b9f-executor")
    unlimited = job.parse_args(EMR_ARGV[:-8] + ["--max-offsets-per-trigger", "0"])
    assert "maxOffsetsPerTrigger" not in job.kafka_stream_options(unlimited)


def test_the_alarm_table_has_the_alarm_columns():
    assert [f["name"] for f in job.alarm_schema()["fields"]] == [n for n, _ in stream.ALARM_COLUMNS]
    assert [f["name"] for f in job.validated_schema_with_date()["fields"]][-1] == "date"


class _ListingState(job.StreamState):
    """StreamState without Spark: its alarm-table listing replaced by a record of the calls."""

    def __init__(self, tables=None):
        self.listed = []
        # per table, the rows earlier micro-batches wrote (the default: one final and one early alarm, PV-9's)
        self.tables = tables if tables is not None else {"final": [{"deviceId": "PV-9"}], "early": [{"deviceId": "PV-9", "labelledMs": 5}]}

    def alarm_rows(self, day, batch_id, table, columns):
        self.listed.append((day, batch_id, table))
        return [{c: r[c] for c in columns} for r in self.tables.get(table, [])]


def test_who_has_an_alarm_comes_from_the_progress_record_not_a_read_per_alarm_file():
    state = _ListingState()
    progress = {"maxEventMs": 1, "openDays": ["2026-07-14"], "doneDays": [], "raised": {"final": {"2026-07-14": ["PV-1", "PV-2"]}, "early": {}}}
    assert state.raised_before(progress, "2026-07-14", 8, "final") == {"PV-1", "PV-2"}
    assert state.raised_before(progress, "2026-07-14", 8, "early") == set()
    assert state.raised_before(progress, "2026-07-15", 8, "final") == set()
    assert state.listed == []
    # a record written before the progress listed them: the alarm table is read instead
    old = {k: v for k, v in progress.items() if k != "raised"}
    assert state.raised_before(old, "2026-07-14", 8, "early") == {"PV-9"} and state.listed == [("2026-07-14", 8, "early")]


def test_early_alarms_waiting_for_their_label_come_from_the_progress_record_or_after_an_upgrade_from_the_tables():
    """A stream upgraded while a day is open reads a progress record written before it listed the
    early alarms waiting for their label: it finds them in the early alarm and label tables, so
    the upgrade loses no label message."""
    state = _ListingState({
        "early": [{"deviceId": "PV-1", "labelledMs": None}, {"deviceId": "PV-2", "labelledMs": None}, {"deviceId": "PV-3", "labelledMs": 7}],
        "early_label": [{"deviceId": "PV-2"}],
    })
    progress = {"maxEventMs": 1, "openDays": ["2026-07-14"], "doneDays": [], "pending": {"2026-07-14": ["PV-4"]}}
    assert state.pending_before(progress, "2026-07-14", 8) == {"PV-4"}
    assert state.pending_before(progress, "2026-07-15", 8) == set()
    assert state.listed == []
    # the record of the release before: PV-1 went out as its group, PV-2 has had its label, PV-3 was labelled at its raise
    old = {k: v for k, v in progress.items() if k != "pending"}
    assert state.pending_before(old, "2026-07-14", 8) == {"PV-1"}
    assert state.listed == [("2026-07-14", 8, "early"), ("2026-07-14", 8, "early_label")]


def test_compaction_is_on_by_default_and_a_negative_setting_is_refused(capsys):
    base = EMR_ARGV
    assert job.parse_args(base).compact_after == streamstate.COMPACT_EVERY
    assert job.parse_args(base + ["--compact-after", "0"]).compact_after == 0
    with pytest.raises(SystemExit):
        job.parse_args(base + ["--compact-after", "-1"])
    assert "--compact-after must be 0 (never)" in capsys.readouterr().err


def test_progress_records_kept_default_to_sixteen_and_fewer_than_two_are_refused(capsys):
    assert job.parse_args(EMR_ARGV).progress_kept == job.PROGRESS_KEPT == 16
    assert job.parse_args(EMR_ARGV + ["--progress-kept", "8"]).progress_kept == 8
    with pytest.raises(SystemExit):
        job.parse_args(EMR_ARGV + ["--progress-kept", "1"])
    assert "--progress-kept must be at least 2" in capsys.readouterr().err


class _FakeSns(object):
    def __init__(self):
        self.published = []

    def publish(self, **kwargs):
        self.published.append(kwargs)


def test_the_notifier_publishes_each_kind_to_sns_with_its_subject_key_and_fifo_dedup(monkeypatch):
    """The SNS path of Notifier (no AWS here: boto3's client is replaced): each kind of message keeps
    its own key, so a FIFO topic drops a replayed micro-batch's copy and never an early alarm's label."""
    sns = _FakeSns()
    regions = []
    monkeypatch.setitem(sys.modules, "boto3", types.SimpleNamespace(client=lambda name, region_name=None: regions.append((name, region_name)) or sns))
    alarm = {k: None for k, _ in stream.ALARM_COLUMNS}
    alarm.update(deviceId="PV-000001", date="2026-07-14", label="line_line", raisedAs="string_blocked", labelledMs=1, batchId=7)
    notifier = job.Notifier("sns:arn:aws:sns:eu-west-1:123456789012:alarms.fifo", store_for=None)
    for kind in ("final", "early", "early_label"):
        notifier.publish(alarm, kind)
    assert regions == [("sns", "eu-west-1")]  # one client for the job's life
    got = [(p["Subject"], p["MessageAttributes"]["alarmKey"]["StringValue"], p["MessageDeduplicationId"], p["MessageGroupId"]) for p in sns.published]
    assert got == [
        ("PV fault alarm PV-000001 line_line", "2026-07-14/PV-000001", "2026-07-14-PV-000001", "PV-000001"),
        ("PV fault early alarm PV-000001 line_line", "early/2026-07-14/PV-000001", "early-2026-07-14-PV-000001", "PV-000001"),
        ("PV fault early alarm PV-000001 named line_line", "early-label/2026-07-14/PV-000001", "early-label-2026-07-14-PV-000001", "PV-000001"),
    ]
    assert [json.loads(p["Message"])["type"] for p in sns.published] == ["pv-fault-alarm", "pv-fault-early-alarm", "pv-fault-early-label"]
    # a standard topic gets no FIFO fields
    plain = job.Notifier("sns:arn:aws:sns:eu-west-1:123456789012:alarms", store_for=None)
    plain.publish(alarm, "early_label")
    assert "MessageDeduplicationId" not in sns.published[-1] and sns.published[-1]["TopicArn"].endswith(":alarms")
