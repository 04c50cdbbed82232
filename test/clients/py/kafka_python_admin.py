"""kafka-python 2.0.2 KafkaAdminClient against a samsa broker.

Usage: /usr/bin/python3 kafka_python_admin.py HOST:PORT

Runs every admin step in order, each on its own (a failing step does not stop the next ones), and
prints one JSON object: {step name: {"ok": result} or {"error": exception class, "errno": Kafka
error code, "message": ...}}. The TypeScript test asserts on it.
"""
import json
import sys
import traceback

from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType

bootstrap = sys.argv[1]
results = {}


def step(name, fn):
    try:
        results[name] = {"ok": fn()}
    except Exception as e:  # noqa: BLE001 - every failure is reported to the test
        results[name] = {
            "error": type(e).__name__,
            "errno": getattr(e, "errno", None),
            "message": str(e)[:2000],
            "trace": traceback.format_exc()[-2000:],
        }


def configs_of(responses):
    """DescribeConfigs responses -> [{resource_type, resource_name, error_code, entries: {name: {...}}}]."""
    out = []
    for response in responses:
        obj = response.to_object()
        for res in obj["resources"]:
            entries = {}
            for e in res["config_entries"]:
                entries[e["config_names"]] = {
                    "value": e["config_value"],
                    "read_only": e["read_only"],
                    "source": e.get("config_source", e.get("is_default")),
                    "sensitive": e["is_sensitive"],
                    "synonyms": e.get("config_synonyms", []),
                }
            out.append({
                "version": response.API_VERSION,
                "resource_type": res["resource_type"],
                "resource_name": res["resource_name"],
                "error_code": res["error_code"],
                "error_message": res["error_message"],
                "entries": entries,
            })
    return out


def partitions_of(names):
    out = {}
    for t in admin.describe_topics(names):
        out[t["topic"]] = {
            "error_code": t["error_code"],
            "partitions": sorted(
                [{"partition": p["partition"], "leader": p["leader"], "replicas": p["replicas"], "isr": p["isr"]}
                 for p in t["partitions"]],
                key=lambda p: p["partition"]),
        }
    return out


admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kp-admin",
                         request_timeout_ms=20000, api_version_auto_timeout_ms=20000)
try:
    results["api_version"] = {"ok": list(admin.config["api_version"])}

    step("create", lambda: admin.create_topics([
        NewTopic("kp-a", 2, 1),
        NewTopic("kp-b", 1, 1, topic_configs={"retention.ms": "3600000"}),
    ]).to_object())
    step("list_after_create", lambda: sorted(admin.list_topics()))
    step("describe_topics", lambda: partitions_of(["kp-a", "kp-b"]))
    step("cluster", lambda: admin.describe_cluster())

    step("validate_only", lambda: admin.create_topics([NewTopic("kp-validate", 3, 1)], validate_only=True).to_object())
    step("list_after_validate_only", lambda: sorted(admin.list_topics()))

    step("describe_configs_b", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-b")])))
    step("describe_configs_b_one_key", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-b", configs={"retention.ms": None})])))
    step("describe_configs_b_synonyms", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-b", configs={"retention.ms": None, "segment.bytes": None})],
        include_synonyms=True)))
    step("describe_configs_broker", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.BROKER, "1")])))
    step("describe_configs_missing_topic", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-missing")])))

    step("alter_configs", lambda: admin.alter_configs([ConfigResource(
        ConfigResourceType.TOPIC, "kp-b", configs={"retention.ms": "7200000", "cleanup.policy": "compact"})]).to_object())
    step("describe_configs_b_after_alter", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-b")])))
    step("alter_configs_invalid", lambda: admin.alter_configs([ConfigResource(
        ConfigResourceType.TOPIC, "kp-b", configs={"retention.ms": "abc"})]).to_object())
    step("alter_configs_unknown_key", lambda: admin.alter_configs([ConfigResource(
        ConfigResourceType.TOPIC, "kp-b", configs={"no.such.config": "1"})]).to_object())
    step("describe_configs_b_after_invalid_alter", lambda: configs_of(admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "kp-b", configs={"retention.ms": None, "cleanup.policy": None})])))

    step("create_partitions", lambda: admin.create_partitions({"kp-a": NewPartitions(4)}).to_object())
    step("describe_topics_after_partitions", lambda: partitions_of(["kp-a"]))
    step("create_partitions_shrink", lambda: admin.create_partitions({"kp-a": NewPartitions(2)}).to_object())
    step("create_partitions_missing_topic", lambda: admin.create_partitions({"kp-missing": NewPartitions(2)}).to_object())

    step("create_existing", lambda: admin.create_topics([NewTopic("kp-b", 1, 1)]).to_object())
    step("create_invalid_name", lambda: admin.create_topics([NewTopic("bad name!", 1, 1)]).to_object())
    step("create_rf3", lambda: admin.create_topics([NewTopic("kp-rf3", 1, 3)]).to_object())
    step("create_invalid_config", lambda: admin.create_topics(
        [NewTopic("kp-badcfg", 1, 1, topic_configs={"retention.ms": "abc"})]).to_object())
    step("create_zero_partitions", lambda: admin.create_topics([NewTopic("kp-zero", 0, 1)]).to_object())

    step("delete", lambda: admin.delete_topics(["kp-a"]).to_object())
    step("list_after_delete", lambda: sorted(admin.list_topics()))
    step("delete_missing", lambda: admin.delete_topics(["kp-missing"]).to_object())
finally:
    admin.close()

print(json.dumps(results))
