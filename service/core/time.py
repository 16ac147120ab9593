"""Time: UTC inside, the community's IANA zone at the edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(moment: datetime, timezone: str) -> datetime:
    """The same instant, expressed in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone))


def local_week_start(moment: datetime, timezone: str) -> date:
    """The Monday of the ISO week that ``moment`` falls in, in ``timezone``."""
    local = to_local(moment, timezone).date()
    return local - timedelta(days=local.weekday())


def local_month(moment: datetime, timezone: str) -> tuple[int, int]:
    local = to_local(moment, timezone)
    return local.year, local.month


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600
