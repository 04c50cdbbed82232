"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) AdminClient: broker configs samsa does not use.

Usage: /usr/bin/python3 confluent_broker_configs.py HOST:PORT

librdkafka's own admin test (0081-admin.c, AlterConfigs) sets sasl.kerberos.min.time.before.relogin
on a broker and expects success, as Kafka gives. Each step prints as in confluent_admin.py:
{step name: {"ok": result} or {"error": KafkaError name, "code": int, "message": str}}.
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource

admin = AdminClient({"bootstrap.servers": sys.argv[1], "client.id": "cf-broker-configs"})
TIMEOUT = 20
results = {}


def step(name, fn):
    try:
        results[name] = {"ok": fn()}
    except KafkaException as e:
        err = e.args[0]
        results[name] = {"error": err.name(), "code": err.code(), "message": err.str()}


def one(futures):
    assert len(futures) == 1, futures
    return list(futures.values())[0].result()


def source_name(source):
    return source.name if hasattr(source, "name") else ConfigSource(source).name


def describe(name):
    configs = one(admin.describe_configs([ConfigResource("broker", "1")], request_timeout=TIMEOUT))
    e = configs[name]
    return {"value": e.value, "source": source_name(e.source), "is_read_only": e.is_read_only}


def alter(name, props):
    return one(admin.alter_configs([ConfigResource("broker", name, set_config=props)], request_timeout=TIMEOUT))


step("alter_kerberos_relogin", lambda: alter("1", {"sasl.kerberos.min.time.before.relogin": "58000"}))
step("describe_kerberos_relogin", lambda: describe("sasl.kerberos.min.time.before.relogin"))
step("alter_kerberos_relogin_invalid", lambda: alter("1", {"sasl.kerberos.min.time.before.relogin": "soon"}))
step("describe_static_unused", lambda: describe("request.timeout.ms"))
step("alter_static_unused", lambda: alter("1", {"request.timeout.ms": "1000"}))
print(json.dumps(results))
