"""kafka-python 2.0.2: produce records, then read them back with a group-less consumer (assign + seek).

Usage: /usr/bin/python3 data_kafka_python.py HOST:PORT TOPIC SPEC.json

SPEC.json: {"partitions": N,
            "messages": [{"partition": p, "key": hex|null, "value": hex|null,
                          "headers": [[name, hex|null], ...], "timestamp": ms}, ...],
            "seeks": [{"partition": p, "offset": o}, ...],
            "times": [{"partition": p, "timestamp": ms}, ...]}

Prints one JSON object on its last line:
  produced:  [{partition, offset, timestamp}] in message order (from each send's RecordMetadata)
  beginning / end: {partition: offset} (ListOffsets earliest / latest)
  for_times: [{partition, timestamp, offset, found_timestamp}] (offsets_for_times)
  all: [{partition, offset, timestamp, timestamp_type, key, value, headers}] read from offset 0
  seeks: [[records...], ...] one list per seek, read from that offset to the end of the partition
  error: only when something raised (with trace)
"""
import json
import sys
import time
import traceback

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, spec_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(spec_path) as f:
    spec = json.load(f)
out = {}


def unhex(x):
    return None if x is None else bytes.fromhex(x)


def hexed(b):
    return None if b is None else bytes(b).hex()


def record(m):
    return {
        "partition": m.partition,
        "offset": m.offset,
        "timestamp": m.timestamp,
        "timestamp_type": m.timestamp_type,
        "key": hexed(m.key),
        "value": hexed(m.value),
        "headers": [[k, hexed(v)] for k, v in (m.headers or [])],
    }


def drain(consumer, want, deadline_s=30):
    """Polls until `want` {TopicPartition: end offset} is reached for every partition."""
    got = []
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        if all(consumer.position(tp) >= end for tp, end in want.items()):
            break
        for _tp, msgs in consumer.poll(timeout_ms=500).items():
            got.extend(record(m) for m in msgs)
    else:
        raise TimeoutError("positions %s, want %s" % ({str(tp): consumer.position(tp) for tp in want}, {str(tp): e for tp, e in want.items()}))
    return got


try:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, retries=0, request_timeout_ms=20000)
    futures = []
    for m in spec["messages"]:
        futures.append(producer.send(
            topic,
            key=unhex(m["key"]),
            value=unhex(m["value"]),
            headers=[(h[0], unhex(h[1])) for h in m["headers"]],
            partition=m["partition"],
            timestamp_ms=m["timestamp"],
        ))
    producer.flush(timeout=30)
    out["produced"] = []
    for fut in futures:
        md = fut.get(timeout=30)
        out["produced"].append({"partition": md.partition, "offset": md.offset, "timestamp": md.timestamp})
    producer.close(timeout=10)

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset="none", request_timeout_ms=20000, fetch_max_wait_ms=100)
    tps = [TopicPartition(topic, p) for p in range(spec["partitions"])]
    consumer.assign(tps)
    out["beginning"] = {str(tp.partition): o for tp, o in consumer.beginning_offsets(tps).items()}
    ends = consumer.end_offsets(tps)
    out["end"] = {str(tp.partition): o for tp, o in ends.items()}
    out["for_times"] = []
    for t in spec["times"]:  # one call each: a partition may be asked twice
        tp = TopicPartition(topic, t["partition"])
        found = consumer.offsets_for_times({tp: t["timestamp"]})[tp]
        out["for_times"].append({"partition": tp.partition, "timestamp": t["timestamp"],
                                 "offset": None if found is None else found.offset,
                                 "found_timestamp": None if found is None else found.timestamp})
    for tp in tps:
        consumer.seek(tp, 0)
    out["all"] = drain(consumer, ends)
    out["seeks"] = []
    for s in spec["seeks"]:
        tp = TopicPartition(topic, s["partition"])
        consumer.assign([tp])
        consumer.seek(tp, s["offset"])
        out["seeks"].append(drain(consumer, {tp: ends[tp]}))
    consumer.close()
except Exception as e:  # noqa: BLE001 - reported to the test
    out["error"] = "%s: %s" % (type(e).__name__, e)
    out["trace"] = traceback.format_exc()[-3000:]

print(json.dumps(out))
