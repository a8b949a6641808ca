#!/usr/bin/env python3
"""Reference values for Shannon's drift statistics (PSI, WoE/IV, group divergence, p-values).

Written from the formulas in docs/design statistics.md §1–2 with numpy, independently of the
Swift code: edges from np.quantile (default linear method), bins by np.searchsorted, p-values
from scipy.stats.chi2.sf, z from scipy.stats.norm.ppf. Run:

    python3 generate.py > drift_fixtures.json

Every float is written as a string holding Python's shortest round-trip repr ("inf", "-inf",
"nan" for the non-finite ones, which strict JSON lacks): some JSON parsers (Foundation's on
Linux among them) round decimal numbers inexactly, and a one-ulp error in a sample value can
move it across a bin edge.
"""
import json
import math

import numpy as np
from scipy import special, stats


def enc(v):
    """JSON-safe float: non-finite values as strings."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [enc(x) for x in v]
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def quantile_edges(sample, bins):
    finite = sample[~np.isnan(sample)]
    e = np.quantile(finite, [i / bins for i in range(1, bins)]) if bins > 1 else np.array([])
    e = np.unique(e)  # sorted, de-duplicated
    e = e[np.isfinite(e) & (e > finite.min())]
    return e


def counts(x, edges, missing):
    nb = len(edges) + 1 + (1 if missing else 0)
    c = np.zeros(nb)
    finite = x[~np.isnan(x)]
    idx = np.searchsorted(edges, finite, side="right")  # bin i = #edges <= x
    np.add.at(c, idx, 1)
    if missing:
        c[-1] = np.isnan(x).sum()
    return c


def jeffreys(c, r, a, fixed, conf):
    """J(P, Q) with P from counts c (size n), Q from counts r (size m); §1 formulas."""
    B = len(c)
    n, m = c.sum(), r.sum()
    used = np.ones(B, bool) if a > 0 else (c + r) > 0
    df = int(used.sum()) - 1
    p = np.where(c + a == 0, 0.0, (c + a) / (n + B * a))
    q = np.where(r + a == 0, 0.0, (r + a) / (m + B * a))
    out = dict(p=p, q=q, df=df, n=n, m=m)
    contrib = np.zeros(B)
    with np.errstate(divide="ignore", invalid="ignore"):
        both = used & (p > 0) & (q > 0)
        one = used & ~both
        contrib[both] = (p[both] - q[both]) * np.log(p[both] / q[both])
        contrib[one] = np.inf
    out["contributions"] = contrib
    if one.any():
        out.update(value=np.inf, se=np.inf, se_delta=np.inf, ci_low=np.inf, ci_high=np.inf,
                   statistic=np.inf, p_value=0.0)
        return out
    pb, qb = p[both], q[both]
    J = np.sum((pb - qb) * np.log(pb / qb))
    A = np.log(pb / qb) + 1 - qb / pb
    Bg = np.log(qb / pb) + 1 - pb / qb
    var = (np.sum(pb * A * A) - np.sum(pb * A) ** 2) / n
    if not fixed:
        var += (np.sum(qb * Bg * Bg) - np.sum(qb * Bg) ** 2) / m
    var = max(var, 0.0)
    neff = n if fixed else n * m / (n + m)
    se = math.sqrt(var + 2 * df / neff ** 2)
    z = stats.norm.ppf((1 + conf) / 2)
    T = J * neff
    out.update(value=J, se=se, se_delta=math.sqrt(var), ci_low=J - z * se, ci_high=J + z * se,
               statistic=T, p_value=float(stats.chi2.sf(T, df)) if df > 0 else (0.0 if T > 0 else 1.0))
    return out


def psi_case(name, ref, cur, bins=None, edges=None, a=0.5, fixed=False, missing=False, conf=0.95):
    e = quantile_edges(ref, bins) if edges is None else np.asarray(edges, float)
    r = counts(ref, e, missing)
    c = counts(cur, e, missing)
    j = jeffreys(c, r, a, fixed, conf)
    return dict(name=name, reference=enc(ref), current=enc(cur), bins=bins,
                explicit_edges=None if edges is None else enc(edges), smoothing=enc(a), fixed_reference=fixed,
                missing_bin=missing, confidence=enc(conf), edges=enc(e), reference_counts=enc(r),
                current_counts=enc(c), q=enc(j["q"]), p=enc(j["p"]), contributions=enc(j["contributions"]),
                psi=enc(j["value"]), se=enc(j["se"]), se_delta=enc(j["se_delta"]), ci_low=enc(j["ci_low"]),
                ci_high=enc(j["ci_high"]), statistic=enc(j["statistic"]), df=j["df"], p_value=enc(j["p_value"]))


def iv_case(name, x, bad, bins=None, edges=None, a=0.5, conf=0.95):
    e = quantile_edges(x, bins) if edges is None else np.asarray(edges, float)
    g = counts(x[~bad], e, False)
    b = counts(x[bad], e, False)
    j = jeffreys(g, b, a, False, conf)
    G, Bd = g.sum(), b.sum()
    gi, bi = j["p"], j["q"]
    with np.errstate(divide="ignore", invalid="ignore"):
        woe = np.where((gi == 0) & (bi == 0), np.nan, np.log(gi / bi))
        woe_se = np.where((gi == 0) & (bi == 0), np.nan, np.sqrt((1 - gi) / (G * gi) + (1 - bi) / (Bd * bi)))
    return dict(name=name, x=enc(x), bad=[bool(v) for v in bad], bins=bins,
                explicit_edges=None if edges is None else enc(edges), smoothing=enc(a), confidence=enc(conf),
                edges=enc(e), goods=enc(g), bads=enc(b), g=enc(gi), b=enc(bi), woe=enc(woe), woe_se=enc(woe_se),
                contributions=enc(j["contributions"]), iv=enc(j["value"]), se=enc(j["se"]),
                se_delta=enc(j["se_delta"]), ci_low=enc(j["ci_low"]), ci_high=enc(j["ci_high"]),
                statistic=enc(j["statistic"]), df=j["df"], p_value=enc(j["p_value"]))


def group_case(name, x, group, bins, a=0.5, conf=0.95):
    e = quantile_edges(x, bins)
    c1 = counts(x[group == 1], e, False)
    c0 = counts(x[group == 0], e, False)
    j = jeffreys(c1, c0, a, False, conf)
    return dict(name=name, x=enc(x), group=[int(v) for v in group], bins=bins, smoothing=enc(a), confidence=enc(conf),
                edges=enc(e), count1=enc(c1), count0=enc(c0), divergence=enc(j["value"]), se=enc(j["se"]),
                se_delta=enc(j["se_delta"]), ci_low=enc(j["ci_low"]), ci_high=enc(j["ci_high"]),
                statistic=enc(j["statistic"]), df=j["df"], p_value=enc(j["p_value"]))


def main():
    rng = np.random.default_rng(20261129)
    psi = []
    ref = rng.normal(0, 1, 1000)
    psi.append(psi_case("normal_same_B10", ref, rng.normal(0, 1, 800), bins=10))
    psi.append(psi_case("normal_shift_B10", ref, rng.normal(0.4, 1.2, 800), bins=10))
    psi.append(psi_case("normal_shift_B10_fixed", ref, rng.normal(0.4, 1.2, 800), bins=10, fixed=True))
    psi.append(psi_case("normal_shift_B10_a0", ref, rng.normal(0.3, 1, 600), bins=10, a=0.0))
    psi.append(psi_case("normal_shift_B10_conf99", ref, rng.normal(0.2, 1, 500), bins=10, conf=0.99))
    for B in (2, 3, 5, 7, 13, 20):
        psi.append(psi_case(f"lognormal_B{B}", rng.lognormal(0, 0.8, 700), rng.lognormal(0.15, 0.9, 400), bins=B))
    # empty current bins: the current window sits in the left half of the reference only
    cur_left = rng.normal(-1.5, 0.3, 300)
    psi.append(psi_case("empty_bins_a05", ref, cur_left, bins=10, a=0.5))
    psi.append(psi_case("empty_bins_a0_infinite", ref, cur_left, bins=10, a=0.0))
    # explicit edges with a gap no value reaches: empty in both samples
    gap_edges = [-1.0, 0.0, 50.0, 60.0]
    psi.append(psi_case("explicit_gap_a0", ref, rng.normal(0.1, 1, 400), edges=gap_edges, a=0.0))
    psi.append(psi_case("explicit_gap_a05_fixed", ref, rng.normal(0.1, 1, 400), edges=gap_edges, a=0.5, fixed=True))
    # ties: integer data, duplicated quantiles collapse
    psi.append(psi_case("poisson_ties_B10", rng.poisson(2.0, 900).astype(float),
                        rng.poisson(2.4, 700).astype(float), bins=10))
    # missing bin with NaNs
    refm = rng.normal(0, 1, 600)
    refm[rng.random(600) < 0.05] = np.nan
    curm = rng.normal(0.1, 1, 500)
    curm[rng.random(500) < 0.12] = np.nan
    psi.append(psi_case("missing_bin_B8", refm, curm, bins=8, missing=True))

    iv = []
    for (name, B, a, shift) in (("iv_B10", 10, 0.5, 1.0), ("iv_B5_a0", 5, 0.0, 0.8), ("iv_B20_weak", 20, 0.5, 0.1)):
        n = 1500
        bad = rng.random(n) < 0.2
        x = rng.normal(0, 1, n) - shift * bad
        iv.append(iv_case(name, x, bad, bins=B, a=a))
    # a bin with no bads at a = 0: WoE = +inf there
    x = np.concatenate([rng.normal(0, 1, 400), rng.normal(5, 0.1, 30)])
    bad = np.concatenate([rng.random(400) < 0.3, np.zeros(30, bool)])
    iv.append(iv_case("iv_no_bads_in_bin_a0", x, bad, edges=[-1.0, 0.0, 1.0, 4.0], a=0.0))

    groups = []
    n = 1200
    grp = (rng.random(n) < 0.4).astype(int)
    groups.append(group_case("group_shift_B10", rng.normal(0, 1, n) + 0.25 * grp, grp, 10))
    groups.append(group_case("group_same_B6", rng.normal(0, 1, n), grp, 6))

    dfs = [1, 2, 3, 5, 10, 20, 50, 100, 150, 200]
    xs = sorted(set([1e-3, 3e-3, 1e-2, 0.03, 0.1, 0.3, 1, 2, 3, 5, 8, 13, 20, 30, 50, 80, 100, 130, 170, 200,
                     250, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000, 1e4, 3e4, 1e5]))
    pgrid = []
    for df in dfs:
        mode = max(df - 2, 0)
        pts = xs + [mode * f for f in (0.9, 0.99, 1.0, 1.01, 1.1) if mode > 0] + [df + 1.0, df + 2.0, df * 1.0 + 1.999]
        for x in sorted(set(pts)):
            pgrid.append(dict(df=df, x=enc(x), sf=enc(stats.chi2.sf(x, df))))

    lgamma = [dict(a=enc(a), value=enc(special.gammaln(a)))
              for a in (1e-8, 1e-3, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4.7, 9.99, 10, 10.5, 25, 50, 75, 100, 1e3, 1e5, 1e8)]
    ppf = [dict(p=enc(p), value=enc(stats.norm.ppf(p)))
           for p in (1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9,
                     0.95, 0.975, 0.99, 0.995, 0.999, 1 - 1e-10)]
    json.dump(dict(generator="generate.py", numpy=np.__version__, psi=psi, iv=iv, groups=groups,
                   chi2_sf=pgrid, gammaln=lgamma, norm_ppf=ppf), sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    import sys
    main()
