#!/usr/bin/env python3
"""Reference values for the entropy and boundary tests, computed with numpy/scipy.

Run from this directory: python3 generate.py  (writes entropy_fixtures.json).
Plug-in entropy is scipy.stats.entropy; Miller-Madow, Chao-Shen and the SE are written in numpy
straight from the formulas in design/statistics.md section 3; the JS divergence is
scipy.spatial.distance.jensenshannon(p, q, base=2)**2; Student-t tails are scipy.stats.t.sf.
"""
import json
import numpy as np
from scipy.stats import entropy as scipy_entropy, t as student_t
from scipy.spatial.distance import jensenshannon


def estimates(counts):
    c = np.asarray([x for x in counts if x > 0], dtype=float)
    n = c.sum()
    k = len(c)
    h = float(scipy_entropy(c))  # normalises the counts; natural log
    mm = h + (k - 1) / (2 * n)
    f1 = float((c == 1).sum())
    if f1 == n:
        f1 = n - 1
    cov = 1 - f1 / n
    pt = cov * c / n
    cs = float(-(pt * np.log(pt) / (1 - (1 - pt) ** n)).sum())
    p = c / n
    var = ((p * np.log(p) ** 2).sum() - h * h) / n
    se = float(np.sqrt(max(var, 0.0)))
    norm = h / np.log(k) if k > 1 else 0.0
    return {"n": int(n), "distinct": k, "plug_in": h, "miller_madow": mm, "chao_shen": cs,
            "se": se, "normalised": float(norm)}


def main():
    rng = np.random.default_rng(20261129)
    count_cases = {
        "uniform4": [5, 5, 5, 5],
        "skewed": [50, 20, 10, 5, 3, 2, 1, 1, 1],
        "singletons_only": [1] * 12,
        "one_token": [37],
        "one_token_once": [1],
        "two_tokens": [1, 1],
        "zipf_random": [int(x) for x in rng.zipf(1.6, size=200) if x < 500][:150],
        "large_counts": [100000, 5000, 3000, 1, 1, 2, 7, 250000],
    }
    counts = {name: {"counts": c, **estimates(c)} for name, c in count_cases.items()}

    js_cases = []
    for name, p, q in [
        ("identical", [3, 1, 2], [3, 1, 2]),
        ("disjoint", [1, 2, 0, 0], [0, 0, 4, 1]),
        ("partial", [10, 5, 0, 1], [2, 5, 7, 1]),
        ("random", list(rng.integers(0, 20, size=30)), list(rng.integers(0, 20, size=30))),
    ]:
        p = [int(x) for x in p]
        q = [int(x) for x in q]
        js = float(jensenshannon(np.asarray(p, float), np.asarray(q, float), base=2) ** 2)
        js_cases.append({"name": name, "p": p, "q": q, "js_bits": js})

    # Windowed sequences: ids drawn from a Zipf-like law over 40 symbols, then windows recomputed
    # from scratch for every window (tumbling W=50; sliding W=64 with hop 16).
    weights = 1 / np.arange(1, 41) ** 1.2
    seq = [int(x) for x in rng.choice(40, size=1000, p=weights / weights.sum())]
    tumbling = [estimates(np.bincount(seq[i:i + 50])) for i in range(0, 1000 - 49, 50)]
    sliding = []
    end = 64
    while end <= 1000:
        sliding.append({"end": end, **estimates(np.bincount(seq[end - 64:end]))})
        end += 16

    tails = [{"t": float(t), "df": float(df), "sf": float(student_t.sf(t, df))}
             for t, df in [(0.0, 3), (1.0, 1), (2.5, 4), (-1.5, 7), (3.0, 14), (6.0, 9), (10.0, 127), (0.3, 0.5)]]

    out = {"counts": counts, "js": js_cases, "sequence": seq,
           "tumbling": {"window": 50, "results": tumbling},
           "sliding": {"window": 64, "hop": 16, "results": sliding},
           "student_t_sf": tails}
    with open("entropy_fixtures.json", "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
