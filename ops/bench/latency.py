#!/usr/bin/env python3
"""Alert latency at a steady offered load: record produced -> its alert on the alerts topic.

  latency.py --bootstrap ADDR --topic T --alerts A [--partitions 3] [--rate 50000] [--seconds 20]
             [--window 500] [--warmup 2]

A paced producer (confluent-kafka, linger.ms 1) writes `{"x":0.123,"sent_us":…}` round-robin over
the partitions of T at --rate records/s, in 1 ms ticks, each record stamped with the wall clock
of its produce() call. The distribution of x flips every --window records of a partition
(uniform, then 90 % below 0.5), so ops/bench/latency-pipeline.yaml's PSI stage changes the alert
state at every window close. A second process (no GIL shared with the producer) consumes A and
notes, for each alert, the wall clock it arrived (fetch.wait.max.ms 2) and its CreateTime (when
Shannon's producer took it).

The record an alert is about is the last one of its window (`window.partition`,
`window.end_offset`): the alert cannot exist before it. T must be fresh, so the j-th record
produced to a partition has offset j; the watermarks are checked. Prints, over alerts whose
record was produced after --warmup seconds,
  latency produced->received: n=… p50=… p99=… max=… ms
  latency produced->alert CreateTime (Shannon's produce call; ms clock): …
and the achieved rate. Exits 1 if the rate fell short by over 2 % or fewer alerts than expected
arrived (Shannon fell behind).
"""
import argparse
import multiprocessing as mp
import random
import sys
import time

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition


def now_us():
    return time.time_ns() // 1000


def watch_alerts(bootstrap, topic, ready, stop, out):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"latency-watch-{time.time_ns()}",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 2, "fetch.error.backoff.ms": 2})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    c.poll(0.5)
    ready.set()
    rows = []
    idle_since = None
    while True:
        msgs = c.consume(num_messages=1000, timeout=0.01)
        t = now_us()
        for m in msgs:
            if m.error():
                continue
            a = orjson.loads(m.value())
            w = a["window"]
            rows.append((w["partition"], w["end_offset"], t, m.timestamp()[1], a["state"]))
        if stop.is_set():
            idle_since = idle_since or time.monotonic()
            if msgs:
                idle_since = time.monotonic()
            if time.monotonic() - idle_since > 2.0:  # the last alerts have had 2 s to arrive
                break
    c.close()
    out.put(rows)


def pct(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--alerts", required=True)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--rate", type=int, default=50_000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--window", type=int, default=500)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--seed", type=int, default=50)
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    watcher = ctx.Process(target=watch_alerts, args=(args.bootstrap, args.alerts, ready, stop, out))
    watcher.start()
    ready.wait(30)

    rng = random.Random(args.seed)
    P, W = args.partitions, args.window
    sent = [[] for _ in range(P)]  # sent[p][offset] = produce() wall clock, µs
    p = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 1, "queue.buffering.max.messages": 1_000_000})
    total = int(args.rate * args.seconds)
    i = 0
    t0 = time.monotonic()
    while i < total:
        due = min(total, int(args.rate * (time.monotonic() - t0)) + 1)
        while i < due:
            part = i % P
            j = len(sent[part])
            if (j // W) % 2 == 0:
                x = rng.random()  # as the reference: PSI near 0
            else:
                x = rng.random() * 0.5 + (0.5 if rng.random() >= 0.9 else 0)  # 90/10: PSI 0.88
            t = now_us()
            p.produce(args.topic, f'{{"x":{x:.4f},"sent_us":{t}}}'.encode(), partition=part)
            sent[part].append(t)
            i += 1
        p.poll(0)
        nxt = t0 + (i + args.rate / 1000) / args.rate  # the next 1 ms tick
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    produce_seconds = time.monotonic() - t0
    left = p.flush(30)
    stop.set()
    rows = out.get(timeout=120)
    watcher.join(10)

    # The offsets assumed above: a fresh topic holding exactly what was produced.
    c = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "latency-check"})
    for part in range(P):
        lo, hi = c.get_watermark_offsets(TopicPartition(args.topic, part), timeout=10)
        if hi != len(sent[part]) or left:
            print(f"partition {part}: high watermark {hi}, produced {len(sent[part])}, unflushed {left}", file=sys.stderr)
            return 1
    c.close()

    warm = sent[0][0] + int(args.warmup * 1e6)
    recv, create = [], []
    for part, end, t_recv, t_create, _ in rows:
        s = sent[part][end]
        if s < warm:
            continue
        recv.append((t_recv - s) / 1000)
        create.append((t_create * 1000 - s) / 1000)
    windows = sum(len(s) // W for s in sent)
    rate = total / produce_seconds
    print(f"offered {total} records in {produce_seconds:.1f} s = {rate:,.0f} records/s over {P} partitions; "
          f"{len(rows)} alerts for {windows} windows of {W}")
    for name, xs in (("produced->received", recv), ("produced->alert CreateTime", create)):
        print(f"latency {name}: n={len(xs)} p50={pct(xs, .5):.1f} p99={pct(xs, .99):.1f} "
              f"max={max(xs, default=float('nan')):.1f} ms")
    if rate < 0.98 * args.rate:
        print(f"the producer fell short of {args.rate} records/s", file=sys.stderr)
        return 1
    if len(rows) < windows - 2 * P:
        print(f"only {len(rows)} alerts for {windows} windows: Shannon fell behind or lost alerts", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
