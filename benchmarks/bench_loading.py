"""Loading the bundled data runs at every start: measure it against a bare YAML parse.

Baseline, measured in the same run: ``yaml.safe_load`` of the same files with no validation.
Our path adds line tracking, pydantic validation and cross-checks; the ratio shows its cost.
Run: ``.venv/bin/python benchmarks/bench_loading.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml

from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.resources import bundled_dir


def best_of(fn: Callable[[], object], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    files = sorted(bundled_dir("providers").glob("*.yaml")) + sorted(
        bundled_dir("questionnaires").glob("*.yaml")
    )
    texts = [Path(f).read_text(encoding="utf-8") for f in files]

    def baseline() -> None:
        for text in texts:
            yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    def ours() -> None:
        load_questionnaires()
        load_providers()

    base = best_of(baseline)
    full = best_of(ours)
    print(f"files: {len(files)}")
    print(f"baseline YAML parse (libyaml, no checks): {base * 1000:7.1f} ms")
    print(f"ddwizard load + validate + cross-check:  {full * 1000:7.1f} ms")
    print(f"ratio: {full / base:.2f}x")
    budget = 0.25
    verdict = "PASS" if full < budget else "FAIL"
    print(f"{verdict}: loading all bundled data under {budget * 1000:.0f} ms")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
