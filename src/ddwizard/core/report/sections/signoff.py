"""Sign-off and integrity: who signs, on what basis, and what was checked about the record.

DECISIONS.md §6: a final review made so by override names the reviewer and the rationale; a
review reopened after a final memo says which memo (by hash) this one supersedes. The
integrity statement says exactly what was verified (audit chain, events, head hash) and,
when nothing was, the memo carries "INTEGRITY NOT VERIFIED" on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddwizard.core.report.inputs import NOT_VERIFIED_BANNER, MemoInputs
from ddwizard.core.report.sections.common import LabelValue
from ddwizard.core.report.text import clean, plural

ATTACHMENT_NAME = "session.json"


@dataclass(frozen=True)
class SignBox:
    role: str
    name: str
    date: str
    note: str


@dataclass(frozen=True)
class SignoffSection:
    boxes: tuple[SignBox, ...]
    override: str
    """Reviewer and rationale of a final status given by override ("" otherwise)."""
    note: str
    """How a final status without an override was signed off, when there is something to
    say: a named reviewer, or a sign-off recorded as free text by an older ddwizard."""
    supersedes: str
    verified: bool | None
    banner: str
    """``INTEGRITY NOT VERIFIED`` when the record was not verified, else ""."""
    statement: str
    """What was verified about the record, in one paragraph."""
    problems: tuple[str, ...]
    hashes: tuple[LabelValue, ...]
    attachment_name: str


def build(inputs: MemoInputs) -> SignoffSection:
    record = inputs.record
    signoff = record.signoff
    reviewer = clean(signoff.reviewer) if signoff else ""
    legacy_text = clean(signoff.recorded_text) if signoff and signoff.legacy else ""
    signed_on = signoff.at.strftime("%Y-%m-%d") if signoff and signoff.at else ""
    reviewer_note = ""
    if signoff and signoff.override:
        reviewer_note = "override reviewer"
    elif legacy_text:
        reviewer_note = "not recorded as a separate field; see the note above"
    boxes = (
        SignBox("Prepared by", clean(record.preparer) or "", "", ""),
        SignBox("Reviewed by (compliance)", reviewer, signed_on if reviewer else "", reviewer_note),
        SignBox("Approved by (investment committee)", "", "", ""),
    )
    override = ""
    if signoff and signoff.override:
        override = (
            f"Made final by override of the recommendation status: reviewer {reviewer or 'not named'}"
            f" (the preparer is {clean(record.preparer) or 'not recorded'}); rationale: "
            + (f"“{clean(signoff.rationale)}”." if signoff.rationale else "not recorded.")
        )
    note = ""
    if signoff and legacy_text:
        note = (
            f"The final status was recorded{' on ' + signed_on if signed_on else ''} by "
            f"{clean(signoff.by) or 'an unnamed user'}, before ddwizard stored a sign-off's "
            "reviewer and rationale as separate fields. Its audit entry, as written (free "
            f"text: this memo takes no reviewer or rationale from it): “{legacy_text}”."
        )
    elif signoff and reviewer and not signoff.override:
        rationale = clean(signoff.rationale)
        note = (
            f"Made final with reviewer {reviewer} named in the sign-off (not an override: the "
            "recommendation was supported at the time)"
            + (f"; rationale: “{rationale}”" if rationale else "")
            + "."
        )
    supersedes = ""
    old = record.supersedes
    if old is not None:
        when = old.at.strftime("%Y-%m-%d") if old.at else "an earlier date"
        reopened = old.reopened_at.strftime("%Y-%m-%d") if old.reopened_at else "later"
        supersedes = (
            f"This memo supersedes the {old.format.upper() or 'earlier'} memo issued on {when} "
            f"(SHA-256 {old.sha256}); the review was reopened on {reopened}"
            + (f": {clean(old.reason)}" if old.reason else "")
            + "."
        )
    integrity = inputs.integrity
    if record.kind != "session":
        verified: bool | None = None
        statement = (
            "Generated from an answers file, not a saved session: there is no audit trail to "
            "verify. The embedded record holds the answers file as read and the evaluation."
        )
    elif integrity.verified:
        verified = True
        head = integrity.head_hash or record.head_hash or ""
        statement = (
            f"Before this memo was written, the session's audit trail was verified: "
            f"{plural(integrity.events, 'event')}, each sealed with the hash of the one before, "
            "replayed to the session's saved state without a difference."
            + (f" Chain head: {head}." if head else "")
        )
        notes = tuple(clean(n) for n in integrity.notes if n)
        if notes:  # what the check could not rule out (events written before state binding)
            statement += " Limit of this check: " + "; ".join(n.rstrip(".") for n in notes) + "."
    else:
        verified = False
        statement = (
            "The session's audit trail did not pass verification before this memo was written; "
            "the memo was produced anyway at the preparer's request and must not be relied on "
            "until the record is explained."
            if integrity.verified is False and integrity.problems
            else "The session's audit trail was not verified before this memo was written."
        )
    hashes = [
        LabelValue(f"SHA-256 of the embedded record ({ATTACHMENT_NAME})", record.record_sha256)
    ]
    chain_head = integrity.head_hash or record.head_hash
    if chain_head:
        hashes.append(LabelValue("Audit chain head hash", chain_head))
    hashes.append(
        LabelValue("Provider data hash", record.provider_data_hash or inputs.catalog.data_hash)
    )
    stamps = record.questionnaires or inputs.qset.versions
    for kind, stamp in stamps.items():
        label = "mandate" if kind == "selection" else kind
        hashes.append(
            LabelValue(
                f"Questionnaire ({label}) {clean(stamp.get('id', ''))} "
                f"{clean(stamp.get('version', ''))}",
                clean(stamp.get("hash", "")),
            )
        )
    return SignoffSection(
        boxes=boxes,
        override=override,
        note=note,
        supersedes=supersedes,
        verified=verified,
        banner=NOT_VERIFIED_BANNER if verified is False else "",
        statement=statement,
        problems=tuple(clean(p) for p in integrity.problems),
        hashes=tuple(hashes),
        attachment_name=ATTACHMENT_NAME,
    )
