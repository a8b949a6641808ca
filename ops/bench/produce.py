#!/usr/bin/env python3
"""Fills one topic of a running broker with benchmark records, then proves they are all there.

  produce.py --bootstrap ADDR --topic T --partitions P --records N --shape score  [--reference CSV]
  produce.py --bootstrap ADDR --topic T --partitions P --records N --shape credit

Shapes:
  score   {"id":17,"score":612.5,"bad":0,"group":"A","ts":1767225600085}: the issue's record.
          score ~ Normal(600, 50) rounded to 0.5 until 60 % of the records, then Normal(615, 55),
          so a PSI stage sees drift part-way; bad ~ Bernoulli(logistic((550 - score) / 30));
          group A (60 %) or B. --reference writes 20,000 pre-shift scores (another seed) as the
          reference sample (CSV, column `score`), what the PSI pipeline and the Python baseline read.
  credit  the record pipelines/credit-psi.yaml decodes (schemas/credit-score-event.schema.json):
          {"applicant_id":"A-000017","ts":…,"score":0.27,"default_flag":0,
           "applicant":{"age_band":"35-44"},"segment":"retail"}, score ~ Beta(2, 5) until a third
          of the records, then Beta(3, 4) (18-24: Beta(4, 3)), default flag following the score
          before the shift: the laws of the demo stream, whose reference is
          pipelines/data/credit-reference.csv.
One record in 100,000 is malformed (`not json`), so decoders pay for validation.

Records go round-robin over the partitions, zstd-compressed in large batches. The embedded
broker keeps only ~5 MiB per partition and drops older data silently, so after producing this
reads every partition's low and high watermarks and exits 1, loudly, unless their differences
add up to exactly N. Prints `produced N records to T (P partitions, S s): per partition …`.
"""
import argparse
import sys
import time

import numpy as np
from confluent_kafka import Producer, Consumer, TopicPartition

T0_MS = 1_767_225_600_000


def score_records(n, seed):
    rng = np.random.default_rng(seed)
    shift = int(n * 0.6)
    score = np.concatenate([rng.normal(600, 50, shift), rng.normal(615, 55, n - shift)])
    score = np.round(score * 2) / 2
    bad = (rng.random(n) < 1 / (1 + np.exp(-(550 - score) / 30))).astype(int)
    group = np.where(rng.random(n) < 0.6, "A", "B")
    for i in range(n):
        if i % 100_000 == 50_000:
            yield b"not json"
            continue
        yield (f'{{"id":{i},"score":{score[i]:.1f},"bad":{bad[i]},"group":"{group[i]}",'
               f'"ts":{T0_MS + 5 * i}}}').encode()


BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
BAND_P = [0.12, 0.24, 0.22, 0.18, 0.14, 0.10]
SEGMENTS = ["retail", "sme", "card"]


def credit_records(n, seed):
    rng = np.random.default_rng(seed)
    shift = n // 3
    band = rng.choice(len(BANDS), size=n, p=BAND_P)
    before = rng.beta(2, 5, n)
    after = np.where(band == 0, rng.beta(4, 3, n), rng.beta(3, 4, n))
    shifted = np.arange(n) >= shift
    score = np.where(shifted, after, before)
    bad = (rng.random(n) < np.where(shifted, 0.3, score)).astype(int)
    for i in range(n):
        if i % 100_000 == 50_000:
            yield b"not json"
            continue
        yield (f'{{"applicant_id":"A-{i:06d}","ts":{T0_MS + 50 * i},"score":{score[i]:.6f},'
               f'"default_flag":{bad[i]},"applicant":{{"age_band":"{BANDS[band[i]]}"}},'
               f'"segment":"{SEGMENTS[i % 3]}"}}').encode()


def write_reference(path, seed):
    rng = np.random.default_rng(seed)
    scores = np.round(rng.normal(600, 50, 20_000) * 2) / 2
    with open(path, "w") as f:
        f.write("score\n")
        f.writelines(f"{s:.1f}\n" for s in scores)


def watermarks(bootstrap, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-watermarks"})
    try:
        return [c.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in range(partitions)]
    finally:
        c.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partitions", type=int, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--shape", choices=["score", "credit"], required=True)
    ap.add_argument("--reference", help="write the score shape's reference sample here (CSV)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    if args.reference:
        write_reference(args.reference, args.seed + 1000)
    records = score_records if args.shape == "score" else credit_records
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "compression.type": "zstd",
        "linger.ms": 50,
        "batch.size": 1_000_000,
        "batch.num.messages": 100_000,
        "queue.buffering.max.messages": 1_000_000,
        "queue.buffering.max.kbytes": 1_048_576,
    })
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(str(err))

    start = time.perf_counter()
    for i, value in enumerate(records(args.records, args.seed)):
        while True:
            try:
                producer.produce(args.topic, value, partition=i % args.partitions, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        if i % 10_000 == 0:
            producer.poll(0)
    left = producer.flush(120)
    seconds = time.perf_counter() - start
    if left or failures:
        print(f"produce FAILED: {left} undelivered, {len(failures)} errors (first: {failures[:1]})", file=sys.stderr)
        return 1

    marks = watermarks(args.bootstrap, args.topic, args.partitions)
    held = [hi - lo for lo, hi in marks]
    detail = " ".join(f"p{p}={h}(low {lo})" for p, (h, (lo, _)) in enumerate(zip(held, marks)))
    if sum(held) != args.records or any(lo != 0 for lo, _ in marks):
        print(f"TOPIC INCOMPLETE: {args.topic} holds {sum(held)} of {args.records} records: {detail}. "
              "The embedded broker keeps ~5 MiB per partition and drops older data: "
              "use more partitions or fewer records.", file=sys.stderr)
        return 1
    print(f"produced {args.records} records to {args.topic} ({args.partitions} partitions, {seconds:.1f} s): {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
