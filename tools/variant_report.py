"""How variable a notebook's items are: ``python -m tools.variant_report NN_topic [--secrets 20]``.

Builds the keys of the public variant and of N test secrets' variants (one kernel for all, see
grading.keys.build_keys_batch) and prints, per autograded item, in how many variants its key
differs from the public key, and what share of the points the public answers earn on each
variant. Authors run it after declaring values variable (CONTRIBUTING, "Variable items").
"""
from __future__ import annotations

import argparse
import sys

from grading.judge import judge_item
from grading.keys import build_keys_batch
from grading.variants import variant_of
from tools.course import read_source_notebook, source_notebook

SECRETS = [f"test-course-secret-{k:02d}-of-twenty" for k in range(20)]  # the tests' secrets


def public_share(public: dict, variant: dict) -> float:
    """Share of the autograded points the public answers earn on ``variant``."""
    earned = possible = 0.0
    for item, info in variant["items"].items():
        given = public["items"].get(item, {}).get("parts", {})
        record = {"item": item, "parts": {name: {"value": part["value"]} for name, part in given.items()}}
        result = judge_item(item, info["parts"], [record], info["points"])
        earned, possible = earned + result.score, possible + result.points
    return earned / possible if possible else 0.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--secrets", type=int, default=20)
    args = parser.parse_args(argv)
    secrets = SECRETS[:args.secrets]
    path = source_notebook(args.assignment)
    keys = build_keys_batch([(path, variant_of(None, args.assignment))]
                            + [(path, variant_of(s, args.assignment)) for s in secrets])
    public, runs = keys[0], keys[1:]
    kinds = {c.metadata["nbgrader"]["grade_id"][:-len("_tests")]: c.metadata.get("imh", {}).get("assesses", "?")
             for c in read_source_notebook(args.assignment).cells if c.metadata.get("imh", {}).get("assesses")}
    print(f"{'item':<48} {'kind':<12} {'points':>6}  key differs from public in")
    for item, info in public["items"].items():
        changed = sum(any(run["items"][item]["parts"][p]["value"] != part["value"] for p, part in info["parts"].items())
                      for run in runs)
        print(f"{item:<48} {kinds.get(item, '?'):<12} {info['points']:>6g}  {changed} of {len(runs)}")
    shares = [public_share(public, run) for run in runs]
    print("public answers earn, per variant: " + ", ".join(f"{s:.0%}" for s in shares)
          + f" (max {max(shares):.0%}; the course-wide goal is at most 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
