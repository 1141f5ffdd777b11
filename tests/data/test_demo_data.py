"""The bundled demo review (``questionnaires/examples/demo.yaml``) reads as a real one would.

It is the README's example and the memo people see first, so it must answer every question the
current questionnaires ask of it, say nothing a compliance reader would stop at (an EU passport
into the UK), and date the documents it says were seen.
"""

from __future__ import annotations

from datetime import date

from ddwizard.core.answers import applicable_values, diligence_lookup
from ddwizard.core.demo import DEMO_DATES_AS_OF, demo_answers_path, load_demo_answers
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet


def test_demo_parses_without_warnings(qset: QuestionnaireSet, catalog: ProviderCatalog) -> None:
    parsed = load_demo_answers(qset, catalog)
    assert parsed.warnings == ()
    assert parsed.sheet.shortlist == ("bitgo", "zodia", "komainu")


def test_demo_answers_every_question_it_is_asked(
    qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    sheet = load_demo_answers(qset, catalog).sheet
    mandate = applicable_values(qset, sheet.selection)
    lookup = diligence_lookup(qset, mandate, {})
    unanswered = [
        q.id
        for q in qset.selection.questions()
        if q.id not in sheet.selection and qset.is_shown(q, lookup)
    ]
    assert unanswered == []
    for provider_id in sheet.shortlist or ():
        answers = sheet.diligence[provider_id]
        lookup = diligence_lookup(qset, mandate, answers)
        missing = [
            q.id
            for q in qset.diligence.questions()
            if qset.is_shown(q, lookup) and q.id not in answers
        ]
        assert missing == [], provider_id


def test_documents_seen_are_dated_and_not_in_the_future(
    qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    sheet = load_demo_answers(qset, catalog).sheet
    for provider_id, answers in sheet.diligence.items():
        for qid, answer in answers.items():
            if answer.evidence in ("seen_doc", "public_source"):
                assert answer.document_date is not None, f"{provider_id}:{qid}"
            if answer.document_date is not None:
                assert answer.document_date <= DEMO_DATES_AS_OF, f"{provider_id}:{qid}"


def test_demo_dates_move_with_the_calendar(
    qset: QuestionnaireSet, catalog: ProviderCatalog
) -> None:
    later = load_demo_answers(qset, catalog, as_of=date(2027, 11, 28)).sheet
    now = load_demo_answers(qset, catalog).sheet
    soc2_now = now.diligence["bitgo"]["dd.soc2_type2"].document_date
    soc2_later = later.diligence["bitgo"]["dd.soc2_type2"].document_date
    assert soc2_now is not None and soc2_later is not None
    assert (soc2_later - soc2_now).days == 365


def test_demo_is_legally_plausible() -> None:
    text = demo_answers_path().read_text(encoding="utf-8").lower()
    # Since Brexit no EU licence is passported into the UK.
    assert "passport" not in text.replace("no eu passport reaches the uk", "")
    assert "an eu licence does not extend to uk clients" in text
    # A UK pension scheme is not under the SEC Custody Rule: no qualified-custodian demand.
    assert "reg.qualified_custodian:\n    value: no" in text
