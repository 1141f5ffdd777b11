"""Scoring benchmark: evaluate() must grow linearly in providers x questions.

Synthetic catalogs are built from the bundled profiles (copies with distinct ids and varied
ratings, regions and facts) at 100, 1,000 and 10,000 providers, scored against a realistic
mandate. A second table varies the number of diligence questions (the bundled set, doubled and
quadrupled) with every provider answering all of them. Each case reports the best of a few runs,
the time per provider (or per provider x question) and its ratio to the smallest case measured
in the same run: a ratio near 1 means linear growth. The quality bar is PASS/FAIL for
"10,000 providers scored in under 1 s".

Reading the ratios: under cProfile the per-call cost of every step (eligibility, scoring,
explanations, robustness) is the same at 1,000 and 10,000 providers; what remains in the
wall-clock ratio at 10,000 is memory (a catalog of 10,000 pydantic profiles no longer fits in
the CPU caches) and, on a busy machine, noise. Run it on an idle machine for the bar.

Run: .venv/bin/python benchmarks/bench_scoring.py
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ddwizard.core.answers import Answer, AnswerSheet
from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.matching import evaluate
from ddwizard.core.provider import Provider, ProviderCatalog
from ddwizard.core.questionnaire import (
    DEFAULT_WEIGHTS,
    AnswerType,
    Question,
    Questionnaire,
    QuestionnaireSet,
    coerce_value,
)

TODAY = datetime.date(2026, 6, 30)
PROVIDER_COUNTS = (100, 1_000, 10_000)
QUESTION_PROVIDERS = 1_000
QUESTION_MULTIPLIERS = (1, 2, 4)
TARGET_SECONDS = 1.0
RUNS = 3

MANDATE: dict[str, Any] = {
    "client.entity_type": "us_adviser_fund",
    "client.sec_registered_adviser": "yes",
    "client.regions": ["us"],
    "reg.qualified_custodian": "yes",
    "reg.min_standing": "trust_or_bank",
    "reg.bank_backed": "preferred",
    "reg.brand_preference": "traditional_finance",
    "reg.etf_servicing": "yes",
    "assets.required": ["btc", "eth", "sol"],
    "assets.staking": "yes",
    "assets.staking_assets": ["eth", "sol"],
    "assets.slashing_borne_by_provider": "yes",
    "assets.governance": "yes",
    "controls.key_tech": "mpc",
    "controls.cold_storage_priority": "critical",
    "controls.policy_engine": "yes",
    "controls.insurance_required": "yes",
    "settlement.otc_rfq": "yes",
    "fees.sensitivity": "medium",
    "fees.max_bps": 40,
    "reporting.soc1": "yes",
    "reporting.soc2": "yes",
    "reporting.api": "yes",
    "support.always_on": "yes",
    "support.white_glove": "yes",
    "priorities.weights": dict(DEFAULT_WEIGHTS),
}


def mandate_sheet(
    qset: QuestionnaireSet, diligence: dict[str, dict[str, Answer]] | None = None
) -> AnswerSheet:
    selection = {
        qid: Answer(value=coerce_value(qset.question(qid), raw)) for qid, raw in MANDATE.items()
    }
    return AnswerSheet(selection=selection, diligence=diligence or {})


def synthetic_catalog(base: ProviderCatalog, count: int) -> ProviderCatalog:
    """``count`` providers: copies of the bundled ones, each with its own id and variations."""
    bases = [p for p in base if p.ratings.security.score is not None]
    out: list[Provider] = []
    facts = ("yes", "no", "unknown")
    for i in range(count):
        p = bases[i % len(bases)]
        ratings = p.ratings.model_copy(
            update={
                c: r.model_copy(
                    update={
                        "score": None
                        if r.score is None
                        else max(0.0, min(5.0, r.score + (i % 7 - 3) * 0.25))
                    }
                )
                for c, r in p.ratings.items()
            }
        )
        served = ("us",) + (("eu",) if i % 2 else ()) if i % 5 else p.regions.served
        out.append(
            p.model_copy(
                update={
                    "id": f"{p.id}-{i:05d}",
                    "name": f"{p.name} #{i}",
                    "ratings": ratings,
                    "qualified_custodian": facts[i % 3] if i % 4 == 0 else p.qualified_custodian,
                    "regions": p.regions.model_copy(update={"served": served}),
                    "fees": p.fees.model_copy(
                        update={"auc_bps": "unknown" if i % 3 else 10 + i % 50}
                    ),
                }
            )
        )
    return ProviderCatalog(out)


def multiplied_diligence(qset: QuestionnaireSet, times: int) -> QuestionnaireSet:
    """The diligence questionnaire repeated ``times`` (ids renamed consistently)."""
    if times == 1:
        return qset
    original = qset.diligence.model_dump(mode="json", by_alias=True, exclude_none=True)
    sections = list(original["sections"])
    for k in range(1, times):
        text = json.dumps(original["sections"]).replace('"dd.', f'"dd.copy{k}_')
        copies = json.loads(text)
        for section in copies:
            section["id"] = f"{section['id']}_copy{k}"
        sections += copies
    diligence = Questionnaire.model_validate({**original, "sections": sections})
    return QuestionnaireSet(qset.selection, diligence)


def sample_answer(question: Question, i: int) -> Answer:
    """A plausible answer; every seventh provider has an old document behind it."""
    if question.type == AnswerType.YN:
        raw: Any = ("yes", "no", "unknown")[i % 3]
    elif question.type in (AnswerType.SINGLE, AnswerType.MULTI):
        choice = question.choice_ids[i % len(question.choice_ids)]
        raw = choice if question.type == AnswerType.SINGLE else [choice]
    elif question.type == AnswerType.NUMBER:
        raw = question.min if question.min is not None else 1
    else:
        raw = "noted"
    date = datetime.date(2024, 1, 31) if i % 7 == 0 else datetime.date(2026, 3, 31)
    return Answer(value=coerce_value(question, raw), evidence="seen_doc", document_date=date)


CPU_BEST: dict[int, float] = {}
"""The best CPU time (process_time) of the last ``best_of`` call, under key 0."""


def best_of(fn: Callable[[], object]) -> float:
    """Best of RUNS runs; small cases repeat more (up to ~0.5 s) so the baseline is not noise.

    Returns the best wall-clock time; the best CPU time of the same runs is kept in
    ``CPU_BEST[0]`` (on a shared, loaded machine it shows the code's own cost)."""
    best = cpu_best = float("inf")
    runs, spent = 0, 0.0
    while runs < RUNS or (spent < 0.5 and runs < 50):
        start, cpu_start = time.perf_counter(), time.process_time()
        fn()
        elapsed = time.perf_counter() - start
        cpu_best = min(cpu_best, time.process_time() - cpu_start)
        best, runs, spent = min(best, elapsed), runs + 1, spent + elapsed
    CPU_BEST[0] = cpu_best
    return best


def main() -> int:
    qset = load_questionnaires()
    base = load_providers()
    sheet = mandate_sheet(qset)
    print(f"evaluate() on synthetic providers (best of at least {RUNS} runs)")
    print(
        f"{'providers':>10} {'eligible':>9} {'time (s)':>10} {'CPU (s)':>9} {'us/provider':>12} "
        f"{'ratio':>7}"
    )
    baseline: float | None = None
    big_time = big_cpu = float("inf")
    for count in PROVIDER_COUNTS:
        catalog = synthetic_catalog(base, count)
        result = evaluate(qset, catalog, sheet, today=TODAY)
        seconds = best_of(partial(evaluate, qset, catalog, sheet, today=TODAY))
        per = seconds / count
        baseline = baseline or per
        print(
            f"{count:>10,} {len(result.eligible):>9,} {seconds:>10.3f} {CPU_BEST[0]:>9.3f} "
            f"{per * 1e6:>12.1f} {per / baseline:>7.2f}"
        )
        if count == 10_000:
            big_time, big_cpu = seconds, CPU_BEST[0]

    print()
    print(f"evaluate() with diligence answers from all {QUESTION_PROVIDERS:,} providers")
    print(f"{'questions':>10} {'answers':>9} {'time (s)':>10} {'us/answer':>12} {'ratio':>7}")
    catalog = synthetic_catalog(base, QUESTION_PROVIDERS)
    q_baseline: float | None = None
    for times in QUESTION_MULTIPLIERS:
        big_qset = multiplied_diligence(qset, times)
        questions = list(big_qset.diligence.questions())
        diligence = {
            p.id: {q.id: sample_answer(q, i + j) for j, q in enumerate(questions)}
            for i, p in enumerate(catalog)
        }
        dd_sheet = mandate_sheet(big_qset, diligence)
        answers = len(questions) * len(catalog)
        seconds = best_of(partial(evaluate, big_qset, catalog, dd_sheet, today=TODAY))
        per = seconds / answers
        q_baseline = q_baseline or per
        print(
            f"{len(questions):>10} {answers:>9,} {seconds:>10.3f} {per * 1e6:>12.2f} {per / q_baseline:>7.2f}"
        )

    print()
    verdict = "PASS" if big_time < TARGET_SECONDS else "FAIL"
    print(
        f"{verdict}: 10,000 providers scored in {big_time:.3f} s (target under "
        f"{TARGET_SECONDS:.0f} s; CPU time {big_cpu:.3f} s, load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
