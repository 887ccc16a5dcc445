#!/usr/bin/env python3
"""Reference p-values of McNemar's exact test (two-sided binomial test on the discordant
pairs, as statsmodels' mcnemar(exact=True) computes it) from scipy.stats.binomtest, for
Tests/SynprefEvalTests/Fixtures/mcnemar_exact.json.

Usage: python scripts/reference/mcnemar_exact.py > Tests/SynprefEvalTests/Fixtures/mcnemar_exact.json
"""
import json

import scipy
from scipy.stats import binomtest

cases = [(0, 0), (0, 1), (1, 1), (3, 0), (5, 2), (10, 10), (12, 3), (25, 30), (46, 85), (39, 29), (100, 140), (600, 520), (2, 2000)]
out = {"scipy": scipy.__version__, "cases": []}
for b, c in cases:
    n = b + c
    p = 1.0 if n == 0 else binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue
    out["cases"].append({"only_a": b, "only_b": c, "p": min(1.0, p)})
print(json.dumps(out, indent=1))
