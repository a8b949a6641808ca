#!/usr/bin/env python3
"""Population values behind the expectations of pipelines/credit-psi.test.yaml.

The demo stream (ShannonTestSupport.DemoStreams.creditScores) draws scores from Beta(2, 5)
before the shift and Beta(3, 4) after it (the 18-24 band from Beta(4, 3)); before the shift the
default flag is drawn with probability = score, after it with probability 0.3. The stages bin
scores at the deciles of pipelines/data/credit-reference.csv (numpy's linear quantiles, as
Shannon computes them). This script gives, with scipy, the figures each stage estimates:

  score-psi   PSI of the current law against the reference sample's bin shares
  score-iv    IV of the score on the default flag
  age-gap     Jeffreys divergence between the 18-24 and 45-54 bands' score laws

A window of a few thousand records estimates these up to sampling noise (a few hundredths), so
the test file checks windows against them with a tolerance, not for equality.

Run: python3 pipelines/tests/credit_psi_expectations.py
"""
import csv
import os

import numpy as np
from scipy import integrate, stats

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "data", "credit-reference.csv"), newline="") as f:
    sample = np.array([float(r["score"]) for r in csv.DictReader(f)])

edges = np.quantile(sample, np.arange(1, 10) / 10)          # interior edges (deciles)
bounds = np.concatenate([[0.0], edges, [1.0]])
ref_counts = np.histogram(sample, bins=bounds)[0].astype(float)
q_ref = ref_counts / ref_counts.sum()


def masses(law):
    return np.diff(law.cdf(bounds))


def jeffreys(p, q):
    return float(np.sum((p - q) * np.log(p / q)))


before, after = stats.beta(2, 5), stats.beta(3, 4)
# After the shift 12% of applicants (the 18-24 band) draw from Beta(4, 3), the rest from Beta(3, 4).
after_all = 0.12 * masses(stats.beta(4, 3)) + 0.88 * masses(after)
print(f"score-psi before the shift: {jeffreys(masses(before), q_ref):.4f}")
print(f"score-psi after the shift:  {jeffreys(after_all, q_ref):.4f}")

# IV before the shift: bad ~ s f(s), good ~ (1 - s) f(s), binned.
bad = np.array([integrate.quad(lambda s: s * before.pdf(s), a, b)[0] for a, b in zip(bounds[:-1], bounds[1:])])
good = np.array([integrate.quad(lambda s: (1 - s) * before.pdf(s), a, b)[0] for a, b in zip(bounds[:-1], bounds[1:])])
print(f"score-iv before the shift:  {jeffreys(bad / bad.sum(), good / good.sum()):.4f}")
print("score-iv after the shift:   0 (defaults no longer depend on the score)")

print(f"age-gap before the shift:   {jeffreys(masses(before), masses(before)):.4f}")
print(f"age-gap after the shift:    {jeffreys(masses(stats.beta(4, 3)), masses(after)):.4f}")
