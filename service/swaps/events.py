"""Domain events of swaps and cover.

Notification delivery subscribes to these: ``swap.offered`` carries the eligible
volunteers, fairest first, to ask; ``swap.approval_requested`` asks the team's
coordinators; ``swap.taken`` tells the offerer and the taker (their calendars follow
the ``assignment.*`` events of the same transaction).
"""

from __future__ import annotations

from service.core import outbox
from service.core.auth import Actor
from service.swaps.models import SwapOffer

SWAP_OFFERED = "swap.offered"
SWAP_APPROVAL_REQUESTED = "swap.approval_requested"
SWAP_TAKEN = "swap.taken"
SWAP_REJECTED = "swap.rejected"
SWAP_WITHDRAWN = "swap.withdrawn"


def offer_event(topic: str, offer: SwapOffer, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=offer.organization_id,
        subject_type="swap_offer",
        subject_id=offer.id,
        actor_user_id=actor.user_id,
        payload={
            "offer_id": offer.id,
            "kind": offer.kind.value,
            "status": offer.status.value,
            "assignment_id": offer.assignment_id,
            "event_id": offer.event_id,
            "position_id": offer.position_id,
            "offered_by_volunteer_id": offer.offered_by_volunteer_id,
            "candidate_ids": list(offer.candidate_ids),
            "taken_by_volunteer_id": offer.taken_by_volunteer_id,
            "exchange_assignment_id": offer.exchange_assignment_id,
            "new_assignment_id": offer.new_assignment_id,
        },
    )
