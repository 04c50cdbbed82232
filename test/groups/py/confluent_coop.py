"""confluent-kafka (librdkafka) consumer with partition.assignment.strategy=cooperative-sticky:
prints one JSON line per rebalance callback (with cooperative-sticky the callbacks name only the
partitions added or taken away) and per record, committing each record synchronously before
printing it.
SIGTERM closes the consumer (it leaves the group) and exits.

Usage: /usr/bin/python3 confluent_coop.py HOST:PORT GROUP TOPIC NAME
"""
import json
import signal
import sys

from confluent_kafka import Consumer, KafkaException

bootstrap, group, topic, name = sys.argv[1:5]
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def emit(**kw):
    print(json.dumps(kw), flush=True)


consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'client.id': name,
    'partition.assignment.strategy': 'cooperative-sticky',
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': False,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 100,
    'topic.metadata.refresh.interval.ms': 1000,
})


def on_assign(c, partitions):
    emit(event='assign', partitions=sorted(p.partition for p in partitions))


def on_revoke(c, partitions):
    emit(event='revoke', partitions=sorted(p.partition for p in partitions))


def on_lost(c, partitions):
    emit(event='lost', partitions=sorted(p.partition for p in partitions))


consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
try:
    while running:
        msg = consumer.poll(0.1)
        if msg is None:
            continue
        if msg.error():
            emit(event='error', error=str(msg.error()))
            continue
        try:
            consumer.commit(message=msg, asynchronous=False)
        except KafkaException as e:
            emit(event='commit-failed', partition=msg.partition(), offset=msg.offset(), error=str(e))
            continue
        emit(event='record', partition=msg.partition(), offset=msg.offset(), value=msg.value().decode())
finally:
    consumer.close()
    emit(event='closed')
