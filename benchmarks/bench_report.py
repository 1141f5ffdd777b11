"""Benchmark: how much does ``ddwizard report`` add on top of WeasyPrint itself?

Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat N]``

One run measures, for a memo covering all eleven bundled providers:

(a) WeasyPrint alone rendering our memo HTML to PDF, in-process (baseline);
(b) our full report path in-process: evaluation + context + templates + PDF/A-3b + attachment;
(c) ``ddwizard report`` as a subprocess vs ``python -c "import weasyprint; ..."`` rendering the
    same HTML as a subprocess. Target: (c) within 1.25x.

Font subsetting: WeasyPrint uses HarfBuzz-Subset (Debian ``libharfbuzz-subset0``) when the
library is installed, else fontTools (much slower). The script says which one is in use and, when
HarfBuzz-Subset is available, also times the in-process render with fontTools forced, so both
are measured in the same run. Times are medians of ``--repeat``
runs; each comparison alternates its two sides and reports the median paired ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROVIDERS = (
    "coinbase-prime",
    "fidelity-digital-assets",
    "bitgo",
    "anchorage-digital",
    "bny-mellon",
    "gemini",
    "komainu",
    "zodia",
    "sygnum",
    "hex-trust",
    "amina",
)
TARGET_RATIO = 1.25


def write_answers(path: Path) -> None:
    """An answers file whose shortlist (and diligence) covers all eleven providers."""
    import yaml

    demo = yaml.safe_load((REPO / "questionnaires" / "examples" / "demo.yaml").read_text("utf-8"))
    answers = demo["answers"]
    answers.pop("client.regions", None)  # no region filter: every provider stays in the memo
    answers["reg.qualified_custodian"] = "unknown"
    answers["assets.staking"] = "no"
    for key in ("assets.staking_assets", "assets.slashing_borne_by_provider"):
        answers.pop(key, None)
    template = demo["diligence"]["zodia"]
    staking_only = ("dd.slashing_treatment", "dd.staked_assets_segregated")
    diligence = {
        pid: {q: a for q, a in template.items() if q not in staking_only} for pid in PROVIDERS
    }
    data = {
        "name": "Benchmark — all eleven providers",
        "preparer": "Benchmark",
        "answers": answers,
        "shortlist": list(PROVIDERS),
        "diligence": diligence,
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def paired(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float, float]:
    """Median times of ``first`` and ``second`` run alternately, and the median paired ratio.

    Alternating keeps both sides under the same machine load (other processes come and go).
    """
    a_times: list[float] = []
    b_times: list[float] = []
    for _ in range(repeat):
        a_times.append(timed(first))
        b_times.append(timed(second))
    ratios = [b / a for a, b in zip(a_times, b_times, strict=True)]
    return statistics.median(a_times), statistics.median(b_times), statistics.median(ratios)


def harfbuzz_subset_available() -> bool:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def installed_harfbuzz_packages() -> str:
    try:
        out = subprocess.run(
            [
                "dpkg-query",
                "-W",
                "-f",
                "${Package} ${Version} ${db:Status-Status}\\n",
                "libharfbuzz*",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except OSError:
        return "dpkg-query not available"
    rows = [line for line in out.splitlines() if line.endswith(" installed")]
    return ", ".join(r.rsplit(" ", 1)[0] for r in rows) or "none found"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    warnings.simplefilter("ignore", DeprecationWarning)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    from ddwizard.core.loading import load_providers, load_questionnaires
    from ddwizard.core.report import answers_file_memo
    from ddwizard.core.resources import bundled_dir

    tmp = Path(tempfile.mkdtemp(prefix="ddwizard-bench-"))
    answers = tmp / "all-eleven.yaml"
    write_answers(answers)
    qset = load_questionnaires(REPO / "questionnaires")
    catalog = load_providers(REPO / "providers")
    templates = bundled_dir("report_templates").resolve()
    base_url = templates.as_uri() + "/"

    html_path = tmp / "memo.html"
    answers_file_memo(answers, qset, catalog, html_path)
    html = html_path.read_text(encoding="utf-8")

    import weasyprint
    import weasyprint.pdf.fonts as wp_fonts

    hb_subset = harfbuzz_subset_available()
    print(
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)"
    )
    print(f"installed harfbuzz packages: {installed_harfbuzz_packages()}")
    print(
        "font subsetting in use: "
        + (
            "HarfBuzz-Subset (libharfbuzz-subset0)"
            if hb_subset
            else "fontTools (libharfbuzz-subset0 not installed)"
        )
    )

    def baseline() -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(tmp / "baseline.pdf")

    def ours() -> None:
        answers_file_memo(answers, qset, catalog, tmp / "ours.pdf")

    baseline()  # warm-up: fonts, caches
    pages = len(weasyprint.HTML(string=html, base_url=base_url).render().pages)
    print(
        f"memo: {len(PROVIDERS)} providers in the shortlist, {pages} pages, HTML {len(html) // 1024} KiB"
    )
    print(f"repeats per measurement: {repeat} (median)")
    print()

    a, b, ratio_ab = paired(baseline, ours, repeat)
    print(f"(a) WeasyPrint alone, in-process          {a:7.2f} s")
    print(f"(b) ddwizard full report path, in-process {b:7.2f} s   ratio b/a = {ratio_ab:.2f}x")

    if hb_subset:
        saved = wp_fonts.harfbuzz_subset

        def baseline_fonttools() -> None:
            wp_fonts.harfbuzz_subset = None  # force the fontTools code path
            try:
                baseline()
            finally:
                wp_fonts.harfbuzz_subset = saved

        a_hb, a_ft, ratio_ft = paired(baseline, baseline_fonttools, repeat)
        print(
            f"    (a) with HarfBuzz-Subset {a_hb:.2f} s vs fontTools forced {a_ft:.2f} s "
            f"(fontTools/HarfBuzz = {ratio_ft:.2f}x)"
        )

    env = dict(os.environ, PYTHONWARNINGS="ignore")
    ddwizard_cmd = [
        sys.executable,
        "-m",
        "ddwizard",
        "report",
        str(answers),
        "-o",
        str(tmp / "sub-ours.pdf"),
    ]
    baseline_code = (
        "import sys, weasyprint; "
        "weasyprint.HTML(string=open(sys.argv[1], encoding='utf-8').read(), base_url=sys.argv[2])"
        ".write_pdf(sys.argv[3])"
    )
    baseline_cmd = [
        sys.executable,
        "-c",
        baseline_code,
        str(html_path),
        base_url,
        str(tmp / "sub-base.pdf"),
    ]

    def run(cmd: list[str]) -> None:
        subprocess.run(cmd, check=True, env=env, capture_output=True)

    c_base, c_ours, ratio = paired(lambda: run(baseline_cmd), lambda: run(ddwizard_cmd), repeat)
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"(c) python -c 'import weasyprint; ...'    {c_base:7.2f} s")
    print(
        f"    ddwizard report (subprocess)          {c_ours:7.2f} s   ratio = {ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x: {verdict})"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
