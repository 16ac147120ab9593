"""Ranking volunteers for a help request, with the reason for every point. Pure.

The weights are explicit so a coordinator can read why someone is first: the
skill the category needs, a language shared with the resident, the same
community, being free at the preferred time, a light load, and continuity — a
resident keeps the same familiar faces where possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Skill keys a category asks for: (key, required). A ride needs a driver.
CATEGORY_SKILLS: dict[str, tuple[str, bool]] = {
    "ride": ("driver", True),
    "haircut": ("haircut", True),
    "visit": ("elderly-care", False),
    "repair": ("handyman", False),
}

WEIGHTS = {
    "skill": 30,
    "language": 25,
    "community": 20,
    "free": 15,
    "load": 15,
    "circle": 30,
    "helped_before": 10,
}
#: Past visits to the same resident that still add points.
MAX_PAST_VISITS_COUNTED = 2


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    name: str
    skills: frozenset[str]
    languages: frozenset[str]
    community_ids: frozenset[int] | None  # None: every community
    #: None when the request has no preferred time to check against.
    free_at_preferred_time: bool | None
    #: Assignments in the 30 days before and after now.
    recent_load: int
    #: What their limits allow over the same stretch (None: no limit).
    load_allowance: int | None
    in_care_circle: bool
    past_visits_to_resident: int
    #: Rules a new assignment would break (limits, overlap), as readable sentences.
    blockers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    factor: str
    points: int
    detail: str


@dataclass
class Match:
    volunteer_id: int
    name: str
    score: int
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)


def rank(
    candidates: list[Candidate], *, category: str, resident_language: str, community_id: int
) -> list[Match]:
    """Every candidate scored and explained; eligible ones first, best first, ties by id."""
    matches = [_score(c, category, resident_language, community_id) for c in candidates]
    return sorted(matches, key=lambda m: (not m.eligible, -m.score, m.volunteer_id))


def _score(candidate: Candidate, category: str, language: str, community_id: int) -> Match:
    reasons: list[Reason] = []
    eligible = not candidate.blockers
    for blocker in candidate.blockers:
        reasons.append(Reason("rules", 0, blocker))

    skill, required = CATEGORY_SKILLS.get(category, (None, False))
    if skill:
        if skill in candidate.skills:
            reasons.append(Reason("skill", WEIGHTS["skill"], f"has the skill {skill}"))
        else:
            reasons.append(Reason("skill", 0, f"does not have the skill {skill}"))
            eligible = eligible and not required

    if language in candidate.languages:
        reasons.append(
            Reason("language", WEIGHTS["language"], f"speaks the resident's language ({language})")
        )
    else:
        reasons.append(Reason("language", 0, f"does not speak {language}"))

    if candidate.community_ids is None or community_id in candidate.community_ids:
        reasons.append(Reason("community", WEIGHTS["community"], "volunteers in this community"))
    else:
        reasons.append(Reason("community", 0, "volunteers in another community"))

    if candidate.free_at_preferred_time is True:
        reasons.append(Reason("free", WEIGHTS["free"], "is free at the preferred time"))
    elif candidate.free_at_preferred_time is False:
        reasons.append(Reason("free", 0, "is busy at the preferred time"))

    allowance = candidate.load_allowance or 8
    spare = max(0.0, 1 - candidate.recent_load / allowance)
    reasons.append(
        Reason(
            "load",
            round(WEIGHTS["load"] * spare),
            f"{candidate.recent_load} assignments in the 30 days around now",
        )
    )

    if candidate.in_care_circle:
        reasons.append(Reason("continuity", WEIGHTS["circle"], "is in the resident's care circle"))
    if candidate.past_visits_to_resident:
        counted = min(candidate.past_visits_to_resident, MAX_PAST_VISITS_COUNTED)
        reasons.append(
            Reason(
                "continuity",
                WEIGHTS["helped_before"] * counted,
                f"helped this resident {candidate.past_visits_to_resident} times before",
            )
        )
    return Match(
        volunteer_id=candidate.volunteer_id,
        name=candidate.name,
        score=sum(reason.points for reason in reasons),
        eligible=eligible,
        reasons=reasons,
    )
