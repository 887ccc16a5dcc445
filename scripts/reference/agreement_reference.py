#!/usr/bin/env python3
"""Reference inter-annotator agreement on real disagreement data, for `Agreement`
(Sources/SynprefEval/Metrics/Agreement.swift).

Reads the PandaLM human test set v1 (WeOpenML/PandaLM @ 3871806e, data/testset-v1.json,
Apache-2.0): 999 response pairs, each labelled by three annotators as 1 (response 1
better), 2 (response 2 better) or 0 (tie), written here as "a", "b" and "tie". Every number
in the fixture comes from the reference libraries, none from code of ours:
- per annotator pair (0,1), (0,2), (1,2): sklearn.metrics.cohen_kappa_score (unweighted)
  and percent agreement (numpy: the fraction of items with equal labels);
- over all three: statsmodels.stats.inter_rater.fleiss_kappa(method="fleiss") on the
  aggregate_raters table, and the mean of the three pairwise percent agreements.
Cases (each a list of item indices into the label matrix):
  all               the 999 items
  first_50          items 0-49: unanimous, "tie" never used; every kappa is 1
  first_88          items 0-87: the first disagreement (item 87), where annotator 1 uses
                    "tie" once and annotators 0 and 2 never use it
  raters_0_1_agree  the items where annotators 0 and 1 agree: kappa(0,1) = 1, the rest not
  unanimous_a       the items all three label "a": chance agreement is 1, kappa undefined;
                    sklearn and statsmodels give NaN, written as null
Versions: numpy 2.4.6, scikit-learn 1.9.1, statsmodels 0.15.0 (recorded in the fixture).

Writes Tests/SynprefEvalTests/Fixtures/agreement-pandalm.json.

Run: /work/venv/bin/python scripts/reference/agreement_reference.py \
         --data /work/shared/data/pandalm/testset-v1.json
"""
import argparse
import hashlib
import json
import math
import pathlib
import platform
import warnings

import numpy as np
import sklearn
import statsmodels
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SynprefEvalTests/Fixtures/agreement-pandalm.json"
LABELS = {1: "a", 2: "b", 0: "tie"}
PAIRS = [(0, 1), (0, 2), (1, 2)]


def number(x):
    """A float for JSON; NaN (an undefined kappa) as null."""
    x = float(x)
    return None if math.isnan(x) else x


def reference(rows):
    """The libraries' values for one case: rows = [[l0, l1, l2], ...]."""
    m = np.array(rows)
    pairs = []
    for i, j in PAIRS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kappa = cohen_kappa_score(m[:, i], m[:, j])
        if math.isnan(kappa):
            assert any(issubclass(w.category, UndefinedMetricWarning) for w in caught)
        agreement = float(np.mean(m[:, i] == m[:, j]))
        pairs.append({"raters": [i, j], "cohen_kappa": number(kappa), "percent_agreement": agreement})
    table, _ = aggregate_raters(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        fleiss = fleiss_kappa(table, method="fleiss")
    return {
        "pairs": pairs,
        "fleiss_kappa": number(fleiss),
        "mean_pairwise_agreement": float(np.mean([p["percent_agreement"] for p in pairs])),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/shared/data/pandalm/testset-v1.json", help="PandaLM testset-v1.json")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()

    raw = pathlib.Path(args.data).read_bytes()
    items = json.loads(raw)
    labels = []
    for item in items:
        row = [item[f"annotator{k}"] for k in (1, 2, 3)]
        assert all(type(v) is int and v in LABELS for v in row), (item["idx"], row)
        labels.append([LABELS[v] for v in row])
    assert len(labels) == 999

    n = len(labels)
    cases = {
        "all": list(range(n)),
        "first_50": list(range(50)),
        "first_88": list(range(88)),
        "raters_0_1_agree": [k for k, r in enumerate(labels) if r[0] == r[1]],
        "unanimous_a": [k for k, r in enumerate(labels) if r == ["a", "a", "a"]],
    }
    out_cases = []
    for name, indices in cases.items():
        values = reference([labels[k] for k in indices])
        out_cases.append({"name": name, "items": indices, **values})

    # The cases test what their names say.
    by_name = {c["name"]: c for c in out_cases}
    assert all(p["cohen_kappa"] == 1.0 for p in by_name["first_50"]["pairs"])
    assert {r[1] for r in labels[:88]} - {r[0] for r in labels[:88]} == {"tie"}
    assert by_name["raters_0_1_agree"]["pairs"][0]["cohen_kappa"] == 1.0
    assert by_name["unanimous_a"]["fleiss_kappa"] is None

    header = {
        "source": "WeOpenML/PandaLM @ 3871806e72b4832f815ecafd24d3503c73403f48, data/testset-v1.json (Apache-2.0)",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "encoding": {"1": "a", "2": "b", "0": "tie"},
        "made_by": "scripts/reference/agreement_reference.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__, "statsmodels": statsmodels.__version__},
    }
    # One label row and one case per line, so a diff of the fixture stays readable.
    lines = ["{"]
    for key, value in header.items():
        lines.append(f" {json.dumps(key)}: {json.dumps(value)},")
    lines.append(' "labels": [')
    lines.append(",\n".join("  " + json.dumps(r) for r in labels))
    lines.append(" ],")
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + json.dumps(c) for c in out_cases))
    lines.append(" ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well-formed
    pathlib.Path(args.out).write_text(text)
    for c in out_cases:
        kappas = ", ".join(f"{p['raters']}: {p['cohen_kappa']}" for p in c["pairs"])
        print(f"{c['name']} ({len(c['items'])} items): fleiss {c['fleiss_kappa']}; cohen {kappas}; "
              f"mean pairwise agreement {c['mean_pairwise_agreement']}")


if __name__ == "__main__":
    main()
