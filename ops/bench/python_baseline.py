#!/usr/bin/env python3
"""A well-tuned Python consumer doing PSI drift on the credit-score topic: the baseline that
`shannon bench pipeline --python …` (ops/bench/pipeline.sh) compares Shannon's end-to-end rate to.

confluent-kafka (librdkafka underneath) with batch consume(num_messages=10000), orjson for the
JSON, numpy searchsorted + bincount for the bins, PSI per count-tumbling window per partition
against the reference sample's deciles — the `score-psi` stage of pipelines/credit-psi.yaml.
It decodes and validates the same fields Shannon's decoder does (malformed records are counted,
not processed). It does *less* than Shannon end to end — one stage instead of three, no alerts
or dead letters produced, no checkpoints — so the ratio flatters Python, not Shannon.

Prints one line `result kind=python records=N seconds=S peak_kib=K …` (seconds: consumer
creation to close, the same span Shannon's figures cover; peak_kib: ru_maxrss).
"""
import argparse
import csv
import resource
import sys
import time
import uuid

import numpy as np
import orjson
import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--records", type=int, required=True, help="records the topic holds")
    ap.add_argument("--reference", required=True, help="CSV holding the reference sample")
    ap.add_argument("--field", default="score")
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--smoothing", type=float, default=0.5)
    ap.add_argument("--window", type=int, default=5000)
    ap.add_argument("--threshold", type=float, default=0.25)
    ap.add_argument("-X", action="append", default=[], help="extra consumer property KEY=VALUE")
    args = ap.parse_args()

    with open(args.reference, newline="") as f:
        ref = np.array([float(row[args.field]) for row in csv.DictReader(f)])
    edges = np.quantile(ref, np.linspace(0, 1, args.bins + 1)[1:-1])
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=args.bins)
    ref_p = (ref_counts + args.smoothing) / (ref_counts.sum() + args.smoothing * args.bins)

    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": f"py-bench-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": False,
        "queued.min.messages": 200000,
    }
    for kv in args.X:
        k, _, v = kv.partition("=")
        conf[k] = v

    loads = orjson.loads
    searchsorted = np.searchsorted
    window = args.window
    records = bad = windows = alerts = 0
    start = time.perf_counter()
    consumer = Consumer(conf)
    md = consumer.list_topics(args.topic, timeout=10)
    partitions = sorted(md.topics[args.topic].partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    buffers = {p: [] for p in partitions}
    deadline = time.monotonic() + 300
    while records < args.records and time.monotonic() < deadline:
        batch = consumer.consume(num_messages=10000, timeout=0.1)
        for m in batch:
            if m.error() is not None:
                continue
            records += 1
            try:
                d = loads(m.value())
                score = d["score"]
                flag = d["default_flag"]
                d["applicant_id"], d["ts"], d["applicant"]["age_band"]
                if type(score) is not float and type(score) is not int or flag not in (0, 1):
                    bad += 1
                    continue
            except (orjson.JSONDecodeError, KeyError, TypeError):
                bad += 1
                continue
            buf = buffers[m.partition()]
            buf.append(score)
            if len(buf) == window:
                counts = np.bincount(searchsorted(edges, np.array(buf), side="right"), minlength=args.bins)
                p = (counts + args.smoothing) / (window + args.smoothing * args.bins)
                psi = float(np.sum((p - ref_p) * np.log(p / ref_p)))
                windows += 1
                alerts += psi > args.threshold
                buf.clear()
    consumer.close()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"result kind=python records={records} seconds={seconds:.6f} peak_kib={peak} windows={windows} "
          f"bad={bad} alerts={alerts} client=confluent-kafka-{confluent_kafka.__version__}/librdkafka-{confluent_kafka.libversion()[0]}")
    return 0 if records == args.records else 1


if __name__ == "__main__":
    sys.exit(main())
