"""Run every benchmark in this folder, one after another: ``.venv/bin/python benchmarks/run_all.py``.

Each benchmark measures its own baseline in the same run and prints ratios against it; the
exit code is non-zero when any benchmark misses its target.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode != 0:
            failed.append(script.name)
    print(
        "\n"
        + ("all benchmarks met their targets" if not failed else f"missed: {', '.join(failed)}")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
