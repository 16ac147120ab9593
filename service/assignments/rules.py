"""The rules a volunteer's new assignment must keep: skill, no overlap, rest and load limits.

Pure: plain values in, violations out. Sign-ups, coordinator assignments, waitlist
promotion and swaps all ask this one module, so a rule means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from service.core.time import hours_between, local_month, local_week_start

MISSING_SKILL = "missing_skill"
OVERLAPS_ASSIGNMENT = "overlaps_assignment"
LIMIT_EXCEEDED = "limit_exceeded"


@dataclass(frozen=True)
class Slot:
    """When a piece of work happens, and in which zone its week and month are counted."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    event_id: int | None = None

    @property
    def hours(self) -> float:
        return hours_between(self.starts_at, self.ends_at)

    def overlaps(self, other: Slot) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def gap_hours(self, other: Slot) -> float:
        """Hours between the end of the earlier slot and the start of the later one."""
        if other.starts_at >= self.ends_at:
            return hours_between(self.ends_at, other.starts_at)
        return hours_between(other.ends_at, self.starts_at)


@dataclass(frozen=True)
class Limits:
    max_assignments_per_week: int | None = None
    max_hours_per_month: int | None = None
    min_rest_hours: int | None = None


@dataclass(frozen=True)
class Violation:
    reason: str
    detail: str
    #: Which limit, for ``limit_exceeded``: assignments_per_week, hours_per_month, rest_hours.
    limit: str | None = None

    def as_dict(self) -> dict[str, str]:
        data = {"reason": self.reason, "detail": self.detail}
        if self.limit:
            data["limit"] = self.limit
        return data


def violations(
    target: Slot,
    commitments: Iterable[Slot],
    limits: Limits,
    *,
    skills: set[str],
    required_skill: str | None,
) -> list[Violation]:
    """Every rule the new ``target`` breaks, given the volunteer's other ``commitments``."""
    found: list[Violation] = []
    if required_skill and required_skill not in skills:
        found.append(Violation(MISSING_SKILL, f"This position needs the skill {required_skill}."))
    commitments = list(commitments)
    if any(target.overlaps(other) for other in commitments):
        found.append(Violation(OVERLAPS_ASSIGNMENT, "This overlaps another of your assignments."))
    if limits.min_rest_hours:
        too_close = [
            other
            for other in commitments
            if not target.overlaps(other) and target.gap_hours(other) < limits.min_rest_hours
        ]
        if too_close:
            found.append(
                Violation(
                    LIMIT_EXCEEDED,
                    f"Leaves less than {limits.min_rest_hours} hours of rest between assignments.",
                    limit="rest_hours",
                )
            )
    if limits.max_assignments_per_week is not None:
        week = local_week_start(target.starts_at, target.timezone)
        same_week = sum(
            1 for other in commitments if local_week_start(other.starts_at, target.timezone) == week
        )
        if same_week + 1 > limits.max_assignments_per_week:
            found.append(
                Violation(
                    LIMIT_EXCEEDED,
                    f"More than {limits.max_assignments_per_week} assignments in that week.",
                    limit="assignments_per_week",
                )
            )
    if limits.max_hours_per_month is not None:
        month = local_month(target.starts_at, target.timezone)
        hours = sum(
            other.hours
            for other in commitments
            if local_month(other.starts_at, target.timezone) == month
        )
        if hours + target.hours > limits.max_hours_per_month + 1e-9:
            found.append(
                Violation(
                    LIMIT_EXCEEDED,
                    f"More than {limits.max_hours_per_month} hours of assignments in that month.",
                    limit="hours_per_month",
                )
            )
    return found
