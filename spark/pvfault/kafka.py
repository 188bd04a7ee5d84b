"""The Kafka client options of Spark's Kafka source, shared by the daily ingest and the stream.

spark/jobs/ingest_data.py (a batch read of a day's window) and spark/jobs/stream_alarms.py
(a continuous read of the same topic) connect to the same MSK cluster the same way:
IAM over TLS on EMR, plaintext on a loopback broker in the real-engine tests.
Python 3.9-compatible; no pyspark here.
"""

KAFKA_SECURITY_CONF = "spark.pvfault.kafka.securityProtocol"
"""Spark config key of the Kafka security protocol. Unset on EMR (MSK IAM over TLS); the
real-engine tests and `npm start -- --engine spark` set PLAINTEXT for a loopback broker.
A Spark setting, not a job argument, so the state machine's arguments stay production's."""

KAFKA_SECURITY = {
    "SASL_SSL": {
        "kafka.security.protocol": "SASL_SSL",
        "kafka.sasl.mechanism": "AWS_MSK_IAM",
        "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
        "kafka.sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    },
    "PLAINTEXT": {"kafka.security.protocol": "PLAINTEXT"},
}
"""The Kafka client options of each protocol the jobs accept: MSK IAM, or none."""


def security_options(security_protocol):
    """KAFKA_SECURITY's options of a protocol; a ValueError naming the config key for any other."""
    if security_protocol not in KAFKA_SECURITY:
        raise ValueError("%s=%r is not one of %s" % (KAFKA_SECURITY_CONF, security_protocol, ", ".join(sorted(KAFKA_SECURITY))))
    return dict(KAFKA_SECURITY[security_protocol])
