#!/usr/bin/env python3
"""The issue's job done the way a careful Python engineer would: PSI of `score` per 10,000-record
count-tumbling window per partition against a reference sample's deciles. The baseline that
ops/bench/e2e.sh sets beside `shannon run ops/bench/psi-pipeline.yaml` on the same topic.

confluent-kafka (librdkafka underneath) assigned to every partition from the beginning (no group
join), batch consume(num_messages=10000), orjson for the JSON, numpy searchsorted + bincount for
the bins, smoothing 0.5. It decodes and validates what the Shannon pipeline's decode block
declares (id, ts, numeric score); malformed records are counted, not processed. It does less
than Shannon: no alerts or dead letters produced, no checkpoints, no offsets committed, and it
stops the moment it has read N records — so the comparison flatters Python.

Prints one line
  result kind=python records=N seconds=S steady_seconds=T windows=W alerts=A bad=B psi_max=X client=…
seconds: consumer creation to close; steady_seconds: first record to last record.
"""
import argparse
import csv
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
    ap.add_argument("--window", type=int, default=10_000)
    ap.add_argument("--threshold", type=float, default=0.1, help="PSI above which a window would alert")
    ap.add_argument("-X", action="append", default=[], help="extra consumer property KEY=VALUE")
    args = ap.parse_args()

    with open(args.reference, newline="") as f:
        ref = np.array([float(row[args.field]) for row in csv.DictReader(f)])
    edges = np.quantile(ref, np.linspace(0, 1, args.bins + 1)[1:-1])
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=args.bins)
    a = args.smoothing
    ref_p = (ref_counts + a) / (ref_counts.sum() + a * args.bins)

    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": f"py-bench-{uuid.uuid4().hex[:8]}",  # required by the client; never joined
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
    psi_max = 0.0
    start = time.perf_counter()
    first = last = None
    consumer = Consumer(conf)
    md = consumer.list_topics(args.topic, timeout=10)
    partitions = sorted(md.topics[args.topic].partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    buffers = {p: [] for p in partitions}
    deadline = time.monotonic() + 600
    while records < args.records and time.monotonic() < deadline:
        batch = consumer.consume(num_messages=10000, timeout=0.1)
        if batch and first is None:
            first = time.perf_counter()
        for m in batch:
            if m.error() is not None:
                continue
            records += 1
            try:
                d = loads(m.value())
                score = d["score"]
                d["id"], d["ts"]
                if type(score) is not float and type(score) is not int:
                    bad += 1
                    continue
            except (orjson.JSONDecodeError, KeyError, TypeError):
                bad += 1
                continue
            buf = buffers[m.partition()]
            buf.append(score)
            if len(buf) == window:
                counts = np.bincount(searchsorted(edges, np.array(buf), side="right"), minlength=args.bins)
                p = (counts + a) / (window + a * args.bins)
                psi = float(np.sum((p - ref_p) * np.log(p / ref_p)))
                psi_max = max(psi_max, psi)
                alerts += psi > args.threshold
                windows += 1
                buf.clear()
        if batch:
            last = time.perf_counter()
    consumer.close()
    seconds = time.perf_counter() - start
    steady = (last - first) if first is not None else 0.0
    print(f"result kind=python records={records} seconds={seconds:.6f} steady_seconds={steady:.6f} "
          f"windows={windows} alerts={alerts} bad={bad} psi_max={psi_max:.4f} "
          f"client=confluent-kafka-{confluent_kafka.__version__}/librdkafka-{confluent_kafka.libversion()[0]}")
    return 0 if records == args.records else 1


if __name__ == "__main__":
    sys.exit(main())
