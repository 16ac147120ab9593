"""Domain events of event series."""

from __future__ import annotations

from collections.abc import Iterable

from service.core import outbox
from service.core.auth import Actor
from service.series.models import EventSeries

SERIES_CREATED = "series.created"
SERIES_UPDATED = "series.updated"
SERIES_SPLIT = "series.split"
SERIES_OCCURRENCE_CANCELLED = "series.occurrence_cancelled"


def series_event(
    topic: str,
    series: EventSeries,
    actor: Actor,
    *,
    changed: Iterable[str] = (),
    event_ids: Iterable[int] = (),
    **extra: object,
) -> None:
    """Feeds re-render the series' VEVENT (RRULE, EXDATE, overrides) on each of these."""
    payload: dict = {
        "series_id": series.id,
        "community_id": series.community_id,
        "team_id": series.team_id,
        "rrule": series.rrule,
        "exdates": list(series.exdates),
        "version": series.version,
    }
    if changed:
        payload["changed"] = sorted(set(changed))
    event_ids = sorted(set(event_ids))
    if event_ids:
        payload["event_ids"] = event_ids
    payload.update(extra)
    outbox.record(
        topic,
        organization_id=series.organization_id,
        subject_type="series",
        subject_id=series.id,
        actor_user_id=actor.user_id,
        payload=payload,
    )
