#!/usr/bin/env python3
"""Reads what ops/bench/e2e.sh left in its output folder and prints the comparison table.

  e2e_report.py OUT --records N --runs R --credit-partitions P --load-before "…" --load-after "…"

Per tool and round: OUT/TOOL-ROUND.json (ops/bench/measure.py: wall, user CPU, peak RSS) and the
tool's own output. The steady rate of each tool is N over the span it spends streaming:
  kcat     the whole process (it prints no timestamps), so it includes connecting;
  python   first record to last record (`steady_seconds` on its `result` line);
  shannon, credit
           the first partition-assignment log line to the final `summary` line of its JSON log
           (so the group join before assignment is left out, the final checkpoint and close are in).
Each figure is the median over the rounds. Exits 1 if a Shannon run did not read exactly N records
or the Python baseline did not finish.
"""
import argparse
import datetime
import json
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def shannon_span(err_path, records):
    """(records read, seconds from first assignment to summary) from a `--log-format json` log."""
    first = summary = None
    with open(err_path) as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            message = entry.get("message", "")
            if first is None and "assigned" in message:
                first = stamp(entry["time"])
            if message == "summary":
                summary = entry
    if first is None or summary is None:
        raise SystemExit(f"{err_path}: no assignment or no summary line in the log")
    read = int(summary["records"])
    if read != records:
        raise SystemExit(f"{err_path}: Shannon read {read} records, the topic holds {records}")
    return read, stamp(summary["time"]) - first, summary


def python_result(out_path, records):
    with open(out_path) as f:
        line = next((l for l in f if l.startswith("result ")), None)
    if line is None:
        raise SystemExit(f"{out_path}: no result line")
    fields = dict(kv.split("=", 1) for kv in line.split()[1:])
    if int(fields["records"]) != records:
        raise SystemExit(f"{out_path}: Python read {fields['records']} of {records} records")
    return fields


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--credit-partitions", type=int, required=True)
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--load-after", default="?")
    args = ap.parse_args()
    n, out = args.records, args.out

    rows = {}  # tool → list of (rate, peak MiB, user s)
    notes = {}
    for tool in ["kcat", "python", "shannon", "credit"]:
        runs = []
        for r in range(1, args.runs + 1):
            path = os.path.join(out, f"{tool}-{r}.json")
            if not os.path.exists(path):
                continue
            m = load(path)
            if tool == "kcat":
                seconds = m["wall_s"]
            elif tool == "python":
                fields = python_result(os.path.join(out, f"{tool}-{r}.out"), n)
                seconds = float(fields["steady_seconds"])
                notes[tool] = (f"{fields['windows']} windows, {fields['alerts']} over 0.1, {fields['bad']} bad; "
                               f"{fields['client']}")
            else:
                _, seconds, summary = shannon_span(os.path.join(out, f"{tool}-{r}.err"), n)
                notes[tool] = (f"records {summary['records']}, dead letters {summary['dead_letters']}, "
                               f"alerts {summary['alerts']}, checkpoints {summary['checkpoints']}")
            runs.append((n / seconds, m["peak_rss_kib"] / 1024, m["user_s"], m["sys_s"], m["wall_s"]))
        if runs:
            rows[tool] = runs

    label = {
        "kcat": "kcat -C (raw consume, no group)",
        "python": "python: confluent-kafka+orjson+numpy PSI",
        "shannon": "shannon run psi-pipeline.yaml (1 stage)",
        "credit": f"shannon run credit-psi.yaml (3 stages)*",
    }
    med = {t: [statistics.median(col) for col in zip(*runs)] for t, runs in rows.items()}
    print(f"\nend to end: {n} records, 3 partitions, zstd, one embedded broker; median of {args.runs} "
          f"round(s), order alternating; load average {args.load_before} -> {args.load_after}")
    print(f"| {'tool':<42} | {'steady records/s':>16} | {'peak RSS':>10} | {'user CPU':>9} | {'sys CPU':>8} | {'wall':>7} |")
    print(f"|{'-' * 44}|{'-' * 17}:|{'-' * 11}:|{'-' * 10}:|{'-' * 9}:|{'-' * 8}:|")
    for tool, (rate, rss, user, system, wall) in med.items():
        print(f"| {label[tool]:<42} | {rate:>16,.0f} | {rss:>6.1f} MiB | {user:>7.2f} s | {system:>6.2f} s | {wall:>5.2f} s |")
    print(f"* credit-psi runs on its own topic: the same N records in the shape its decode block reads, "
          f"over {args.credit_partitions} partitions (the broker keeps ~5 MiB per partition).")
    for tool in ["kcat", "python", "shannon", "credit"]:
        if tool in rows:
            rates = " ".join(f"{r[0]:,.0f}" for r in rows[tool])
            print(f"  {tool:<8} rates per round: {rates}" + (f"  ({notes[tool]})" if tool in notes else ""))
    if "shannon" in med:
        s = med["shannon"]
        for base in ["kcat", "python"]:
            if base in med:
                b = med[base]
                print(f"ratio shannon/{base:<6}  rate {s[0] / b[0]:.2f}   peak RSS {s[1] / b[1]:.2f}   "
                      f"user CPU {s[2] / b[2]:.2f}")
            else:
                print(f"ratio shannon/{base:<6}  skipped ({base} did not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
