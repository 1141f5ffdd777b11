"""Benchmark: how long the memo takes, how long it is, and what ``ddwizard report`` adds.

Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat N] [--long] [--templates DIR]``

Default run (about a minute), for two memos, the demo review (three providers shortlisted) and
a review with all eleven bundled providers shortlisted:

(a) WeasyPrint alone rendering our memo HTML to PDF, in-process (baseline);
(b) our full report path in-process: evaluation + context + templates + PDF/A-3b + attachment.
    Target: (b) within 1.25x of (a).

It prints pages and seconds for each memo, so the length and the speed are tracked together.
``--long`` adds (c) ``ddwizard report`` as a subprocess vs ``python -c "import weasyprint; ..."``
rendering the same HTML as a subprocess (target 1.25x), and, when HarfBuzz-Subset is available,
the in-process render with the fontTools subsetter forced. ``--templates DIR`` renders with
another templates folder (for instance an older version, to compare before and after).
``--sections`` renders each section of the demo memo alone with WeasyPrint (the memo's own
stylesheet, an empty document's cost subtracted) to show where the render time goes.

The issue also asks for "a memo for eleven providers in about a second in-process"; PRODUCT.md
calibrates that on a 2-core machine where ``import weasyprint`` takes about 0.6 s and an 8-page
memo renders in about 1.0 s. The run prints this machine's ``import weasyprint`` time next to
that reference, and the eleven-provider render time against the one-second goal.

Font subsetting: WeasyPrint uses HarfBuzz-Subset (Debian ``libharfbuzz-subset0``) when the
library is installed, else fontTools (much slower). Times are medians of ``--repeat`` runs; each
comparison alternates its two sides and reports the median paired ratio.
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
ELEVEN_PROVIDER_GOAL_S = 1.0  # "about a second in-process" (issue), on PRODUCT.md's reference
REFERENCE_IMPORT_S = 0.6  # PRODUCT.md: `import weasyprint` on its reference 2-core machine
SECTION_PATTERN = (
    r'<section class="cover">.*?</section>|<nav class="toc".*?</nav>'
    r'|<section class="chapter[^"]*" id="[^"]+">.*?</section>'
)


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


def import_time() -> float:
    """Median wall time of ``python -c "import weasyprint"`` (the machine-speed reference)."""
    command = [sys.executable, "-c", "import weasyprint"]
    return statistics.median(timed(lambda: subprocess.run(command, check=True)) for _ in range(3))


def section_costs(html: str, base_url: str, repeat: int) -> list[tuple[str, float, int]]:
    """Each top-level section rendered alone (head and stylesheet kept), minus an empty page."""
    import re

    import weasyprint

    head, _, body = html.partition("<body")
    parts = re.findall(SECTION_PATTERN, body, flags=re.S)

    def render(inner: str) -> tuple[float, int]:
        doc = f'{head}<body class="draft">{inner}</body></html>'
        start = time.perf_counter()
        rendered = weasyprint.HTML(string=doc, base_url=base_url).render()
        rendered.write_pdf()
        return time.perf_counter() - start, len(rendered.pages)

    render("")
    empty = statistics.median(render("")[0] for _ in range(repeat))
    rows = []
    for part in parts:
        label = re.search(r'id="([^"]+)"', part) or re.search(r'class="([^"]+)"', part)
        name = label.group(1) if label else "?"
        runs = [render(part) for _ in range(repeat)]
        rows.append((name, statistics.median(t for t, _ in runs) - empty, runs[0][1]))
    return rows


def write_demo_answers(path: Path) -> None:
    """The bundled demo review as an answers file (three providers shortlisted)."""
    shutil.copyfile(REPO / "questionnaires" / "examples" / "demo.yaml", path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--long", action="store_true", help="also time subprocesses and the fontTools subsetter"
    )
    parser.add_argument("--templates", type=Path, help="templates folder (default: bundled)")
    parser.add_argument(
        "--sections", action="store_true", help="also time each section of the demo memo alone"
    )
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    warnings.simplefilter("ignore", DeprecationWarning)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    from ddwizard.core.loading import load_providers, load_questionnaires
    from ddwizard.core.usecases.write_memo import answers_file_memo
    from ddwizard.core.resources import bundled_dir

    tmp = Path(tempfile.mkdtemp(prefix="ddwizard-bench-"))
    qset = load_questionnaires(REPO / "questionnaires")
    catalog = load_providers(REPO / "providers")
    templates = (args.templates or bundled_dir("report_templates")).resolve()
    base_url = templates.as_uri() + "/"

    import weasyprint
    import weasyprint.pdf.fonts as wp_fonts

    hb_subset = harfbuzz_subset_available()
    print(
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPU(s), templates {templates}"
    )
    print(
        "font subsetting in use: "
        + (
            "HarfBuzz-Subset (libharfbuzz-subset0)"
            if hb_subset
            else "fontTools (libharfbuzz-subset0 not installed)"
        )
    )
    print(f"repeats per measurement: {repeat} (median)")
    imported = import_time()
    print(
        f"import weasyprint: {imported:.2f} s (PRODUCT.md reference machine: about "
        f"{REFERENCE_IMPORT_S} s; this machine runs at ~{imported / REFERENCE_IMPORT_S:.2f}x of it)"
    )

    saved = wp_fonts.harfbuzz_subset
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    worst = 0.0
    eleven_s = 0.0
    memos = (
        ("demo memo (3 providers)", write_demo_answers),
        ("eleven-provider memo", write_answers),
    )
    for label, write in memos:
        answers = tmp / f"{write.__name__}.yaml"
        write(answers)
        html_path = tmp / f"{write.__name__}.html"
        answers_file_memo(answers, qset, catalog, html_path, templates_dir=templates)
        html = html_path.read_text(encoding="utf-8")

        def baseline(html: str = html) -> None:
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(tmp / "baseline.pdf")

        def ours(answers: Path = answers) -> None:
            answers_file_memo(answers, qset, catalog, tmp / "ours.pdf", templates_dir=templates)

        baseline()  # warm-up: fonts, caches
        pages = len(weasyprint.HTML(string=html, base_url=base_url).render().pages)
        a, b, ratio_ab = paired(baseline, ours, repeat)
        worst = max(worst, ratio_ab)
        if write is write_answers:
            eleven_s = b
        print()
        print(f"{label}: {pages} pages, HTML {len(html) // 1024} KiB")
        print(f"  (a) WeasyPrint alone, in-process          {a:7.2f} s   {a / pages:.3f} s/page")
        print(
            f"  (b) ddwizard full report path, in-process {b:7.2f} s   ratio b/a = {ratio_ab:.2f}x"
        )
        if args.sections and write is write_demo_answers:
            rows = section_costs(html, base_url, repeat)
            print("  render time by section (each alone, WeasyPrint only):")
            for name, seconds, n_pages in rows:
                print(f"      {name:<16} {seconds:6.3f} s  {n_pages} page(s)")
            print(f"      {'sum':<16} {sum(r[1] for r in rows):6.3f} s")

        if not args.long:
            continue
        if hb_subset:

            def baseline_fonttools(baseline: Callable[[], None] = baseline) -> None:
                wp_fonts.harfbuzz_subset = None  # force the fontTools code path
                try:
                    baseline()
                finally:
                    wp_fonts.harfbuzz_subset = saved

            a_hb, a_ft, ratio_ft = paired(baseline, baseline_fonttools, repeat)
            print(
                f"      (a) with HarfBuzz-Subset {a_hb:.2f} s vs fontTools forced {a_ft:.2f} s "
                f"(fontTools/HarfBuzz = {ratio_ft:.2f}x)"
            )
        ddwizard_cmd = [sys.executable, "-m", "ddwizard", "report", str(answers)]
        ddwizard_cmd += ["-o", str(tmp / "sub-ours.pdf")]
        if args.templates:
            ddwizard_cmd += ["--templates", str(templates)]
        baseline_code = (
            "import sys, weasyprint; "
            "weasyprint.HTML(string=open(sys.argv[1], encoding='utf-8').read(), "
            "base_url=sys.argv[2]).write_pdf(sys.argv[3])"
        )
        baseline_cmd = [sys.executable, "-c", baseline_code, str(html_path), base_url]
        baseline_cmd.append(str(tmp / "sub-base.pdf"))

        def run(cmd: list[str]) -> None:
            subprocess.run(cmd, check=True, env=env, capture_output=True)

        c_base, c_ours, ratio = paired(
            lambda cmd=baseline_cmd: run(cmd), lambda cmd=ddwizard_cmd: run(cmd), repeat
        )
        worst = max(worst, ratio)
        print(f"  (c) python -c 'import weasyprint; ...'    {c_base:7.2f} s")
        print(f"      ddwizard report (subprocess)          {c_ours:7.2f} s   ratio = {ratio:.2f}x")

    verdict = "OK" if worst <= TARGET_RATIO else "OVER TARGET"
    print()
    scaled = eleven_s / (imported / REFERENCE_IMPORT_S)
    goal = "MET" if scaled <= ELEVEN_PROVIDER_GOAL_S * 1.2 else "NOT MET"
    print(
        f"eleven-provider memo in-process: {eleven_s:.2f} s here, ~{scaled:.2f} s scaled to the "
        f"reference machine (goal: about {ELEVEN_PROVIDER_GOAL_S:.0f} s: {goal}; informational, "
        "the exit status follows the 1.25x ratio only)"
    )
    print(
        f"worst ratio against WeasyPrint alone: {worst:.2f}x (target <= {TARGET_RATIO}x: {verdict})"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
