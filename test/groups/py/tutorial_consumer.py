"""The consumer every Kafka tutorial starts with (kafka-python), verbatim but for the bootstrap
address, which the test passes: it joins 'my-group', reads 'my_topic' from the earliest offset and
lets kafka-python commit automatically. One JSON line per record on stdout; SIGTERM closes the
consumer (a last commit and LeaveGroup) and exits.

Usage: /usr/bin/python3 tutorial_consumer.py HOST:PORT
"""
import json
import signal
import sys

from kafka import KafkaConsumer


class Stop(Exception):
    pass


def stop(*_):
    raise Stop()


signal.signal(signal.SIGTERM, stop)

consumer = KafkaConsumer('my_topic', group_id='my-group', auto_offset_reset='earliest', enable_auto_commit=True,
                         bootstrap_servers=sys.argv[1])
try:
    for msg in consumer:
        print(json.dumps({"partition": msg.partition, "offset": msg.offset, "value": msg.value.decode()}), flush=True)
except Stop:
    pass
finally:
    consumer.close()
