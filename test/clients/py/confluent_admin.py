"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) AdminClient against a samsa broker.

Usage: /usr/bin/python3 confluent_admin.py HOST:PORT

Runs every admin step in order, each on its own, and prints one JSON object:
{step name: {"ok": result} or {"error": KafkaError name, "code": int, "message": str}}.
The TypeScript test asserts on it.
"""
import json
import sys
import traceback

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource, ConfigSource

bootstrap = sys.argv[1]
results = {}
TIMEOUT = 20  # seconds, per request

admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "cf-admin"})


def step(name, fn):
    try:
        results[name] = {"ok": fn()}
    except KafkaException as e:
        err = e.args[0]
        results[name] = {"error": err.name(), "code": err.code(), "message": err.str()}
    except Exception as e:  # noqa: BLE001 - every failure is reported to the test
        results[name] = {"error": type(e).__name__, "code": None, "message": str(e)[:2000],
                         "trace": traceback.format_exc()[-2000:]}


def one(futures):
    """The result of the single future in a dict of futures."""
    assert len(futures) == 1, futures
    return list(futures.values())[0].result()


def metadata(topic=None):
    md = admin.list_topics(topic=topic, timeout=TIMEOUT)
    return {
        "cluster_id": md.cluster_id,
        "controller_id": md.controller_id,
        "brokers": sorted([[b.id, b.host, b.port] for b in md.brokers.values()]),
        "topics": {
            name: {
                "error": t.error.name() if t.error is not None else None,
                "partitions": sorted([[p.id, p.leader, list(p.replicas), list(p.isrs)] for p in t.partitions.values()]),
            }
            for name, t in md.topics.items()
        },
    }


def source_name(source):
    """1.7.0 hands the source over as an int; name it as ConfigSource does (DEFAULT_CONFIG, ...)."""
    return source.name if hasattr(source, "name") else ConfigSource(source).name


def entry(e):
    return {
        "value": e.value,
        "source": source_name(e.source),
        "is_default": e.is_default,
        "is_read_only": e.is_read_only,
        "is_sensitive": e.is_sensitive,
        "synonyms": [[s.name, s.value, source_name(s.source)]
                     for s in (e.synonyms.values() if isinstance(e.synonyms, dict) else e.synonyms)],
    }


def describe(restype, name):
    configs = one(admin.describe_configs([ConfigResource(restype, name)], request_timeout=TIMEOUT))
    return {k: entry(v) for k, v in configs.items()}


def create(*topics, **kw):
    return one(admin.create_topics(list(topics), operation_timeout=TIMEOUT, request_timeout=TIMEOUT, **kw))


step("create", lambda: {
    name: f.result()
    for name, f in admin.create_topics([
        NewTopic("cf-a", num_partitions=3, replication_factor=1),
        NewTopic("cf-b", num_partitions=1, replication_factor=1, config={"retention.ms": "3600000"}),
    ], operation_timeout=TIMEOUT, request_timeout=TIMEOUT).items()
})
step("metadata", lambda: metadata())
step("metadata_one", lambda: metadata("cf-a"))

step("validate_only", lambda: create(NewTopic("cf-validate", num_partitions=2, replication_factor=1), validate_only=True))
step("validate_only_existing", lambda: create(NewTopic("cf-a", num_partitions=2, replication_factor=1), validate_only=True))
step("topics_after_validate_only", lambda: sorted(metadata()["topics"].keys()))

step("describe_topic", lambda: describe("topic", "cf-b"))
step("describe_broker", lambda: describe("broker", "1"))
step("describe_missing_topic", lambda: describe("topic", "cf-missing"))

step("alter", lambda: one(admin.alter_configs(
    [ConfigResource("topic", "cf-b", set_config={"retention.ms": "7200000", "cleanup.policy": "compact"})],
    request_timeout=TIMEOUT)))
step("describe_topic_after_alter", lambda: describe("topic", "cf-b"))
step("alter_validate_only", lambda: one(admin.alter_configs(
    [ConfigResource("topic", "cf-b", set_config={"retention.ms": "1000"})], validate_only=True, request_timeout=TIMEOUT)))
step("alter_invalid", lambda: one(admin.alter_configs(
    [ConfigResource("topic", "cf-b", set_config={"retention.ms": "abc"})], request_timeout=TIMEOUT)))
step("describe_topic_after_failed_alters", lambda: describe("topic", "cf-b"))
step("alter_broker", lambda: one(admin.alter_configs(
    [ConfigResource("broker", "1", set_config={"log.retention.ms": "86400000"})], request_timeout=TIMEOUT)))
step("describe_broker_after_alter", lambda: describe("broker", "1"))

step("create_partitions", lambda: one(admin.create_partitions(
    [NewPartitions("cf-a", 5)], operation_timeout=TIMEOUT, request_timeout=TIMEOUT)))
step("metadata_after_partitions", lambda: metadata("cf-a"))
step("create_partitions_validate_only", lambda: one(admin.create_partitions(
    [NewPartitions("cf-a", 8)], validate_only=True, operation_timeout=TIMEOUT, request_timeout=TIMEOUT)))
step("create_partitions_shrink", lambda: one(admin.create_partitions(
    [NewPartitions("cf-a", 2)], operation_timeout=TIMEOUT, request_timeout=TIMEOUT)))
step("partitions_after_failed_creates", lambda: len(metadata("cf-a")["topics"]["cf-a"]["partitions"]))

step("create_existing", lambda: create(NewTopic("cf-b", num_partitions=1, replication_factor=1)))
step("create_rf3", lambda: create(NewTopic("cf-rf3", num_partitions=1, replication_factor=3)))
step("create_invalid_config", lambda: create(
    NewTopic("cf-badcfg", num_partitions=1, replication_factor=1, config={"retention.ms": "abc"})))
step("create_invalid_name", lambda: create(NewTopic("bad name!", num_partitions=1, replication_factor=1)))

step("delete", lambda: one(admin.delete_topics(["cf-a"], operation_timeout=TIMEOUT, request_timeout=TIMEOUT)))
step("topics_after_delete", lambda: sorted(metadata()["topics"].keys()))
step("delete_missing", lambda: one(admin.delete_topics(["cf-missing"], operation_timeout=TIMEOUT, request_timeout=TIMEOUT)))

print(json.dumps(results))
