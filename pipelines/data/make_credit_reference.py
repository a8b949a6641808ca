#!/usr/bin/env python3
"""Generates credit-reference.csv: the reference sample of pipelines/credit-psi.yaml.

A stand-in for "last quarter's scores": 4000 applicants with a model score in [0, 1]
(Beta(2, 5), the usual right-skewed shape of a default-probability score), a default flag drawn
with probability equal to the score, and an age band. The demo producer draws its "stable"
traffic from the same law, and its "drifted" traffic from Beta(3, 4), so PSI should stay
near 0 at first and then rise well above 0.25.

Run from anywhere: python3 pipelines/data/make_credit_reference.py
"""
import csv
import os

import numpy as np

N = 4000
SEED = 20261129
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
AGE_WEIGHTS = [0.12, 0.24, 0.22, 0.18, 0.14, 0.10]

rng = np.random.default_rng(SEED)
score = rng.beta(2.0, 5.0, size=N)
default_flag = (rng.random(N) < score).astype(int)
age_band = rng.choice(AGE_BANDS, size=N, p=AGE_WEIGHTS)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "credit-reference.csv")
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["applicant_id", "score", "default_flag", "age_band"])
    for i in range(N):
        w.writerow([f"A-{i:06d}", f"{score[i]:.6f}", int(default_flag[i]), age_band[i]])
print(f"wrote {N} rows to {out}")
