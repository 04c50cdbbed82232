"""confluent-kafka (librdkafka) consumer group on a samsa cluster: subscribes TOPIC in GROUP,
consumes until every value of WANT.json has been seen, committing each message synchronously
(so every commit reaches the group coordinator), then closes (LeaveGroup).

Usage: /usr/bin/python3 cluster_group_confluent.py BOOTSTRAP TOPIC GROUP WANT.json

Prints one JSON object on its last line:
  seen: values consumed (utf-8), in order
  error: only when something raised (with trace)
"""
import json
import sys
import time
import traceback

from confluent_kafka import Consumer

bootstrap, topic, group, want_path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(want_path) as f:
    want = set(json.load(f))
out = {"seen": []}
try:
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 500,
        "fetch.wait.max.ms": 100,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    consumer.subscribe([topic])
    deadline = time.time() + 60
    while not want.issubset(out["seen"]):
        if time.time() > deadline:
            raise TimeoutError("missing %s" % sorted(want.difference(out["seen"])))
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            continue  # transient (coordinator moves, partition EOF): librdkafka retries
        out["seen"].append(m.value().decode())
        consumer.commit(message=m, asynchronous=False)
    consumer.close()
except Exception as e:  # noqa: BLE001 - reported to the test
    out["error"] = "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())
print(json.dumps(out))
