# Reads every record of partition 0 of each topic named on the command line, without a consumer
# group (assign + seek to the beginning), up to the partition's end offset, and prints one JSON
# document: {topic: [[offset, key, value, [[header key, header value], ...]], ...]}.
# Usage: consume_all.py kafka-python|confluent BOOTSTRAP TOPIC...
# The compressed batches samsa wrote must be decompressed by the client library itself:
# kafka-python 2.0.2 (python3-lz4, python3-snappy, python3-zstandard) and librdkafka 2.0.2.
import json
import sys
import time


def text(b):
    return None if b is None else b.decode('utf-8')


def with_kafka_python(bootstrap, topics):
    from kafka import KafkaConsumer, TopicPartition
    out = {}
    for topic in topics:
        c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                          api_version_auto_timeout_ms=10000, request_timeout_ms=20000,
                          fetch_max_bytes=64 * 1024 * 1024, max_partition_fetch_bytes=64 * 1024 * 1024)
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek_to_beginning(tp)
        end = c.end_offsets([tp])[tp]
        rows = []
        deadline = time.time() + 30
        while c.position(tp) < end and time.time() < deadline:
            for msgs in c.poll(timeout_ms=1000).values():
                for m in msgs:
                    rows.append([m.offset, text(m.key), text(m.value), [[k, text(v)] for k, v in (m.headers or [])]])
        c.close()
        out[topic] = rows
    return out


def with_confluent(bootstrap, topics):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    out = {}
    for topic in topics:
        c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'unused-no-commit', 'enable.auto.commit': False,
                      'enable.partition.eof': True, 'fetch.message.max.bytes': 64 * 1024 * 1024})
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        rows = []
        deadline = time.time() + 30
        while time.time() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    break
                raise Exception(str(m.error()))
            rows.append([m.offset(), text(m.key()), text(m.value()), [[k, text(v)] for k, v in (m.headers() or [])]])
        c.close()
        out[topic] = rows
    return out


if __name__ == '__main__':
    client, bootstrap, topics = sys.argv[1], sys.argv[2], sys.argv[3:]
    result = with_kafka_python(bootstrap, topics) if client == 'kafka-python' else with_confluent(bootstrap, topics)
    print(json.dumps(result))
