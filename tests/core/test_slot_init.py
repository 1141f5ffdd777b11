"""The hot result objects keep every dataclass property under their faster ``__init__``."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from ddwizard.core.results import (
    OpenItem,
    OpenItemKind,
    RequirementCheck,
    RequirementId,
    RequirementState,
    Topic,
    slot_init,
)


def test_defaults_keywords_and_equality_are_the_dataclass_ones() -> None:
    check = RequirementCheck(RequirementId.SOC1, "SOC 1", RequirementState.MET, basis="profile")
    assert check.to_confirm == "" and check.question_id is None and check.answered_by == ()
    assert check == RequirementCheck(RequirementId.SOC1, "SOC 1", RequirementState.MET, "profile")
    assert hash(check) == hash(dataclasses.replace(check))
    item = OpenItem("p", Topic.SOC1, "Confirm", what="a report")
    assert item.kind is OpenItemKind.NOT_STATED and item.requirement is None
    assert list(inspect.signature(OpenItem).parameters) == [
        f.name for f in dataclasses.fields(OpenItem)
    ]


def test_still_frozen_and_slotted() -> None:
    check = RequirementCheck(RequirementId.SOC1, "SOC 1", RequirementState.MET, "profile")
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.label = "changed"  # type: ignore[misc]
    assert not hasattr(check, "__dict__")
    with pytest.raises(TypeError):
        RequirementCheck(RequirementId.SOC1, "SOC 1")  # type: ignore[call-arg]


def test_default_factory_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[str] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="default_factory"):
        slot_init(WithFactory)


def test_post_init_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match="__post_init__"):
        slot_init(Checked)
