"""The rotation solver: who fills which place, fairly, without ever breaking a hard rule.

Pure: plain dataclasses in, a plan out; no database, no clock, no randomness, so the
same problem always gives the same plan and the solver is tested and benchmarked alone.

How it works (designed for 20,000 places and 2,000 volunteers on a small machine):

1. *Static eligibility.* For every position, the volunteers who may ever fill it:
   team members with the required skill, inside one of their weekly availability
   windows and outside their blackouts. Computed once, cached per window pattern.
2. *Greedy construction ordered by scarcity.* Shifts whose positions have the fewest
   candidates per open place go first. Each shift is filled as a group: the candidate
   with the lowest weighted cost (load first, then preferences, pairs, residents,
   sites) that keeps every dynamic hard rule (no overlap, rest hours, weekly and
   monthly limits, "not together", trainees never only with trainees) takes the next
   place; a group that would leave someone alone (a patrol of one) is taken back.
3. *Repair for fairness.* A bounded local search moves a place from a volunteer to
   one who holds at least two fewer whenever every hard rule still holds and the
   weighted objective improves (always, with the default weights). Each move lowers
   the sum of squared loads, so the search ends; afterwards no such move exists (the
   spread between two volunteers is above one only where the rules forbid evening it
   out, or where the coordinator weighted a soft goal above fairness).
4. *Filling pass.* Places still open are tried once more against the new state,
   first pick by first pick for groups, so no place that could be filled stays empty.
   When that adds nothing, an *augmenting* pass moves a volunteer who is blocked from
   an open shift only by one of their own places out of it, if the open shift can then
   be staffed and the place they left refilled. Repair, filling and augmenting
   alternate until none of them changes anything.
5. *Explanations.* Every open place is diagnosed by narrowing its candidates rule by
   rule; the rule that removes the last one is the reason given.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTES_PER_DAY = 24 * 60
#: Ejections tried per open shift by the augmenting pass.
AUGMENT_TRIES = 40

# Reasons given for places left open, most basic first.
NO_CANDIDATES = "no_candidates"
MISSING_SKILL = "missing_skill"
UNAVAILABLE = "unavailable"
BLACKOUT = "blackout"
BUSY = "busy"
REST = "rest_hours"
AT_LIMIT = "at_limit"
NOT_TOGETHER = "not_together"
TRAINEES_ONLY = "trainees_only"
WOULD_BE_ALONE = "would_be_alone"


@dataclass(frozen=True)
class Window:
    """A weekly availability window in the local time of the shift's zone."""

    #: Monday is 0.
    weekday: int
    #: Minutes after local midnight.
    start_minute: int
    #: Minutes after local midnight, at most 1440; after ``start_minute``.
    end_minute: int


@dataclass(frozen=True)
class Limits:
    max_assignments_per_week: int | None = None
    max_hours_per_month: float | None = None
    min_rest_hours: float | None = None


@dataclass(frozen=True)
class Commitment:
    """A place the volunteer holds outside the plan; it counts for overlap, rest and limits."""

    starts_at: datetime
    ends_at: datetime
    timezone: str


@dataclass(frozen=True)
class Volunteer:
    id: int
    skills: frozenset[str] = frozenset()
    #: Teams the volunteer may be rotated in; a shift of another team is not theirs.
    teams: frozenset[int] = frozenset()
    #: Weekly windows; none means available at any time.
    windows: tuple[Window, ...] = ()
    #: Periods away (holiday, leave, resting this month), as (start, end).
    blackouts: tuple[tuple[datetime, datetime], ...] = ()
    limits: Limits = Limits()
    #: A trainee never works only with trainees.
    trainee: bool = False
    #: Activity keys the volunteer likes or would rather not do.
    preferred: frozenset[str] = frozenset()
    avoided: frozenset[str] = frozenset()
    #: People they like to work with (soft) and must never share a shift with (hard).
    pair_with: frozenset[int] = frozenset()
    not_together: frozenset[int] = frozenset()
    #: Residents they already serve; keeping them together is a soft goal.
    residents: frozenset[str] = frozenset()
    #: The site they worked at last, before the period (for site rotation).
    previous_site: str | None = None
    commitments: tuple[Commitment, ...] = ()


@dataclass(frozen=True)
class Position:
    id: int
    #: Places to fill in the plan, counting those already held.
    places: int
    required_skill: str | None = None
    #: Volunteers holding a place already; kept as they are.
    held: tuple[int, ...] = ()


@dataclass(frozen=True)
class Shift:
    """One event to staff."""

    id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    positions: tuple[Position, ...]
    team_id: int | None = None
    activity: str = ""
    #: Fewest people who may work it together: a patrol (2) never has one person alone.
    min_together: int = 1
    #: Where it happens, for site rotation.
    site: str = ""
    #: The resident served, for keeping resident-volunteer relationships stable.
    resident: str | None = None
    #: Volunteers change site every this many weeks (the team asked for it).
    site_rotation_weeks: int | None = None
    #: Volunteers never to propose here: they declined or gave up a place in it.
    excluded: frozenset[int] = frozenset()
    #: Volunteers who had a place here before re-planning; keeping them is a soft goal.
    incumbents: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Weights:
    """How soft goals trade off; a higher weight matters more. Hard rules are never traded."""

    #: Per assignment already held: keeps loads even.
    fairness: float = 100.0
    #: Per preferred activity taken (bonus) or avoided activity given (cost).
    preference: float = 10.0
    #: Per wished-for partner in the same shift.
    pairing: float = 5.0
    #: For serving a resident the volunteer already knows.
    resident: float = 5.0
    #: For staying at a site within a rotation block, and moving on after it.
    site: float = 5.0
    #: For keeping someone in a place they had before re-planning (fewer changes).
    stability: float = 50.0


@dataclass(frozen=True)
class Problem:
    shifts: tuple[Shift, ...]
    volunteers: tuple[Volunteer, ...]
    weights: Weights = Weights()
    #: Upper bound on repair moves, as a multiple of the number of places.
    repair_budget: int = 20


@dataclass(frozen=True)
class Placement:
    shift_id: int
    position_id: int
    volunteer_id: int


@dataclass(frozen=True)
class Unfilled:
    shift_id: int
    position_id: int
    #: How many places of the position stay open.
    places: int
    reason: str
    detail: str
    #: Candidates left after each rule, in the order the rules were applied.
    narrowing: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Load:
    volunteer_id: int
    assignments: int
    hours: float
    #: Of those, places held before the plan (kept as they are).
    kept: int
    #: Places they could have taken at all (skill, team, availability).
    eligible_places: int


@dataclass(frozen=True)
class Plan:
    placements: tuple[Placement, ...]
    unfilled: tuple[Unfilled, ...]
    loads: tuple[Load, ...]
    #: Most minus fewest assignments among volunteers who could take any place.
    spread: int
    #: The same among volunteers who could take exactly the same places.
    spread_equally_available: int
    #: Population standard deviation of the assignments of those volunteers.
    stdev: float
    preferences_met: int
    avoided_given: int
    repair_moves: int

    @property
    def places_filled(self) -> int:
        return len(self.placements)

    @property
    def places_open(self) -> int:
        return sum(item.places for item in self.unfilled)


def to_minutes(moment: datetime) -> int:
    """Whole minutes since the epoch (the solver's clock; events start on whole minutes)."""
    return int((moment - EPOCH).total_seconds() // 60)


# --- internal state -------------------------------------------------------------------------


@dataclass
class _Shift:
    index: int
    source: Shift
    start: int
    end: int
    hours: float
    week: int
    month: int
    local_day: date
    pieces: tuple[tuple[int, int, int], ...]
    block: int
    #: Volunteer indices in the shift (held and planned).
    group: list[int] = field(default_factory=list)
    #: (position index, volunteer index) of places added by the plan.
    planned: list[tuple[int, int]] = field(default_factory=list)
    #: Per position: candidate volunteer indices.
    candidates: list[list[int]] = field(default_factory=list)
    #: Per position: places still open.
    open: list[int] = field(default_factory=list)


@dataclass
class _Volunteer:
    index: int
    source: Volunteer
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    longest: int = 0
    week_count: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    month_hours: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    count: int = 0
    kept: int = 0
    hours: float = 0.0
    #: Rotation block -> site worked there.
    block_sites: dict[int, dict[str, int]] = field(default_factory=dict)
    eligible: int = 0


def _local_pieces(start: datetime, end: datetime) -> tuple[tuple[int, int, int], ...]:
    """The shift cut at local midnights: (weekday, start minute, end minute) per day."""
    pieces = []
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time())
        midnight = midnight.replace(tzinfo=cursor.tzinfo)
        piece_end = min(end, midnight)
        start_minute = cursor.hour * 60 + cursor.minute
        end_minute = (
            MINUTES_PER_DAY if piece_end == midnight else piece_end.hour * 60 + piece_end.minute
        )
        pieces.append((cursor.weekday(), start_minute, end_minute))
        cursor = piece_end
    return tuple(pieces)


def _merged_windows(windows: Iterable[Window]) -> tuple[tuple[int, int, int], ...]:
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for window in windows:
        by_day[window.weekday].append((window.start_minute, window.end_minute))
    merged = []
    for weekday in sorted(by_day):
        spans = sorted(by_day[weekday])
        current_start, current_end = spans[0]
        for start, end in spans[1:]:
            if start <= current_end:
                current_end = max(current_end, end)
            else:
                merged.append((weekday, current_start, current_end))
                current_start, current_end = start, end
        merged.append((weekday, current_start, current_end))
    return tuple(merged)


def _covered(windows: tuple[tuple[int, int, int], ...], pieces: tuple) -> bool:
    return all(
        any(w == day and ws <= ps and we >= pe for w, ws, we in windows) for day, ps, pe in pieces
    )


def _week_and_month(moment: datetime, timezone: str) -> tuple[int, int, date]:
    local = moment.astimezone(ZoneInfo(timezone))
    day = local.date()
    return (day - timedelta(days=day.weekday())).toordinal(), day.year * 12 + day.month, day


def _mix(a: int, b: int) -> int:
    """A fixed pseudo-random tie-break, so ties do not always favour the lowest id."""
    return ((a * 2654435761) ^ (b * 40503 + 0x9E3779B9)) & 0xFFFFFFFF


class _Solver:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.weights = problem.weights
        volunteers = sorted(problem.volunteers, key=lambda v: v.id)
        self.volunteers = [_Volunteer(i, v) for i, v in enumerate(volunteers)]
        self.by_id = {v.source.id: v.index for v in self.volunteers}
        shifts = sorted(problem.shifts, key=lambda s: (s.starts_at, s.id))
        first_day = (
            min(_week_and_month(s.starts_at, s.timezone)[2] for s in shifts) if shifts else None
        )
        self.shifts: list[_Shift] = []
        for index, shift in enumerate(shifts):
            week, month, local_day = _week_and_month(shift.starts_at, shift.timezone)
            zone = ZoneInfo(shift.timezone)
            block = 0
            if shift.site_rotation_weeks:
                block = (local_day - first_day).days // (7 * shift.site_rotation_weeks)
            self.shifts.append(
                _Shift(
                    index=index,
                    source=shift,
                    start=to_minutes(shift.starts_at),
                    end=to_minutes(shift.ends_at),
                    hours=(shift.ends_at - shift.starts_at).total_seconds() / 3600,
                    week=week,
                    month=month,
                    local_day=local_day,
                    pieces=_local_pieces(
                        shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
                    ),
                    block=block,
                )
            )
        self.not_together: list[set[int]] = [set() for _ in self.volunteers]
        for v in self.volunteers:
            for other in v.source.not_together:
                if other in self.by_id:
                    self.not_together[v.index].add(self.by_id[other])
                    self.not_together[self.by_id[other]].add(v.index)
        self.pair_with = [
            {self.by_id[o] for o in v.source.pair_with if o in self.by_id} for v in self.volunteers
        ]
        self.rest = [round((v.source.limits.min_rest_hours or 0) * 60) for v in self.volunteers]
        self.repair_moves = 0

    # -- state changes ------------------------------------------------------------------------

    def _book(self, vi: int, start: int, end: int, week: int, month: int, hours: float) -> None:
        v = self.volunteers[vi]
        position = bisect_left(v.starts, start)
        v.starts.insert(position, start)
        v.ends.insert(position, end)
        v.longest = max(v.longest, end - start)
        v.week_count[week] += 1
        v.month_hours[month] += hours

    def _unbook(self, vi: int, start: int, end: int, week: int, month: int, hours: float) -> None:
        v = self.volunteers[vi]
        position = bisect_left(v.starts, start)
        while v.ends[position] != end:
            position += 1
        del v.starts[position]
        del v.ends[position]
        v.week_count[week] -= 1
        v.month_hours[month] -= hours

    def _add(self, shift: _Shift, position: int, vi: int, planned: bool = True) -> None:
        self._book(vi, shift.start, shift.end, shift.week, shift.month, shift.hours)
        v = self.volunteers[vi]
        v.count += 1
        v.hours += shift.hours
        shift.group.append(vi)
        shift.open[position] -= 1
        if planned:
            shift.planned.append((position, vi))
        else:
            v.kept += 1
        if shift.source.site_rotation_weeks:
            sites = v.block_sites.setdefault(shift.block, {})
            sites[shift.source.site] = sites.get(shift.source.site, 0) + 1

    def _remove(self, shift: _Shift, position: int, vi: int) -> None:
        self._unbook(vi, shift.start, shift.end, shift.week, shift.month, shift.hours)
        v = self.volunteers[vi]
        v.count -= 1
        v.hours -= shift.hours
        shift.group.remove(vi)
        shift.open[position] += 1
        shift.planned.remove((position, vi))
        if shift.source.site_rotation_weeks:
            sites = v.block_sites[shift.block]
            sites[shift.source.site] -= 1
            if not sites[shift.source.site]:
                del sites[shift.source.site]

    # -- rules --------------------------------------------------------------------------------

    def _fits(self, vi: int, shift: _Shift) -> bool:
        """The volunteer's own dynamic rules: overlap, rest, weekly and monthly limits."""
        v = self.volunteers[vi]
        limits = v.source.limits
        if (
            limits.max_assignments_per_week is not None
            and v.week_count.get(shift.week, 0) + 1 > limits.max_assignments_per_week
        ):
            return False
        if (
            limits.max_hours_per_month is not None
            and v.month_hours.get(shift.month, 0.0) + shift.hours
            > limits.max_hours_per_month + 1e-9
        ):
            return False
        return self._clear(vi, shift.start, shift.end) is None

    def _clear(self, vi: int, start: int, end: int) -> str | None:
        """None when nothing overlaps or crowds [start, end); else BUSY or REST."""
        v = self.volunteers[vi]
        rest = self.rest[vi]
        index = bisect_left(v.starts, end + rest)
        floor = start - rest - v.longest
        verdict = None
        while index > 0:
            index -= 1
            if v.starts[index] < floor:
                break
            if v.ends[index] > start - rest:
                if v.starts[index] < end and v.ends[index] > start:
                    return BUSY
                verdict = REST
        return verdict

    def _compatible(self, vi: int, group: Sequence[int]) -> bool:
        enemies = self.not_together[vi]
        return not any(other in enemies for other in group)

    # -- costs --------------------------------------------------------------------------------

    def _cost(self, vi: int, shift: _Shift) -> float:
        v = self.volunteers[vi]
        source = v.source
        weights = self.weights
        cost = weights.fairness * v.count
        activity = shift.source.activity
        if activity in source.preferred:
            cost -= weights.preference
        if activity in source.avoided:
            cost += weights.preference
        pairs = self.pair_with[vi]
        if pairs:
            cost -= weights.pairing * sum(1 for g in shift.group if g in pairs)
        if shift.source.resident is not None and shift.source.resident in source.residents:
            cost -= weights.resident
        if source.id in shift.source.incumbents:
            cost -= weights.stability
        if shift.source.site_rotation_weeks:
            site = shift.source.site
            here = v.block_sites.get(shift.block)
            if here and site not in here:
                cost += weights.site
            before = v.block_sites.get(shift.block - 1)
            previous = max(before, key=lambda s: (before[s], s)) if before else None
            if previous is None and shift.block == 0:
                previous = source.previous_site
            if previous == site:
                cost += weights.site
        return cost

    # -- construction -------------------------------------------------------------------------

    def _eligibility(self) -> None:
        window_ids: dict[tuple, int] = {}
        windows_of = []
        for v in self.volunteers:
            merged = _merged_windows(v.source.windows) if v.source.windows else None
            windows_of.append((window_ids.setdefault(merged, len(window_ids)), merged))
        blackouts = [
            [(to_minutes(a), to_minutes(b)) for a, b in v.source.blackouts] for v in self.volunteers
        ]
        members: dict[int | None, list[int]] = defaultdict(list)
        for v in self.volunteers:
            for team in sorted(v.source.teams):
                members[team].append(v.index)
        everyone = [v.index for v in self.volunteers]
        cover_cache: dict[tuple[int, tuple], bool] = {}
        for shift in self.shifts:
            team = shift.source.team_id
            pool = everyone if team is None else members.get(team, [])
            held = {
                self.by_id[h] for p in shift.source.positions for h in p.held if h in self.by_id
            }
            held |= {self.by_id[v] for v in shift.source.excluded if v in self.by_id}
            available = []
            for vi in pool:
                if vi in held:
                    continue
                window_id, merged = windows_of[vi]
                if merged is not None:
                    key = (window_id, shift.pieces)
                    covered = cover_cache.get(key)
                    if covered is None:
                        covered = cover_cache[key] = _covered(merged, shift.pieces)
                    if not covered:
                        continue
                if any(a < shift.end and b > shift.start for a, b in blackouts[vi]):
                    continue
                available.append(vi)
            for position in shift.source.positions:
                skill = position.required_skill
                candidates = [
                    vi
                    for vi in available
                    if skill is None or skill in self.volunteers[vi].source.skills
                ]
                shift.candidates.append(candidates)
                shift.open.append(max(position.places, len(position.held)))
                for vi in candidates:
                    self.volunteers[vi].eligible += 1

    def _place_held(self) -> None:
        for v in self.volunteers:
            for commitment in v.source.commitments:
                week, month, _ = _week_and_month(commitment.starts_at, commitment.timezone)
                self._book(
                    v.index,
                    to_minutes(commitment.starts_at),
                    to_minutes(commitment.ends_at),
                    week,
                    month,
                    (commitment.ends_at - commitment.starts_at).total_seconds() / 3600,
                )
        for shift in self.shifts:
            for p_index, position in enumerate(shift.source.positions):
                for volunteer_id in position.held:
                    vi = self.by_id.get(volunteer_id)
                    if vi is not None:
                        self._add(shift, p_index, vi, planned=False)
                    else:
                        shift.open[p_index] -= 1

    def _ranked(self, shift: _Shift, position: int) -> list[int]:
        group = set(shift.group)
        sid = shift.source.id
        scored = [
            (
                self._cost(vi, shift),
                self.volunteers[vi].hours,
                _mix(self.volunteers[vi].source.id, sid),
                vi,
            )
            for vi in shift.candidates[position]
            if vi not in group
        ]
        scored.sort()
        return [item[-1] for item in scored]

    def _has_senior(self, group: Iterable[int]) -> bool:
        return any(not self.volunteers[g].source.trainee for g in group)

    def _pick(self, shift: _Shift, position: int, last_place: bool) -> int | None:
        need_senior = last_place and not self._has_senior(shift.group)
        for vi in self._ranked(shift, position):
            if need_senior and self.volunteers[vi].source.trainee:
                continue
            if not self._compatible(vi, shift.group):
                continue
            if self._fits(vi, shift):
                return vi
        return None

    def _group_valid(self, shift: _Shift) -> bool:
        size = len(shift.group)
        if size == 0:
            return True
        return size >= shift.source.min_together and self._has_senior(shift.group)

    def _position_order(self, shift: _Shift) -> list[int]:
        return sorted(range(len(shift.open)), key=lambda p: (len(shift.candidates[p]), p))

    def _fill_greedy(self, shift: _Shift) -> None:
        for p_index in self._position_order(shift):
            while shift.open[p_index] > 0:
                last_place = sum(shift.open) == 1
                chosen = self._pick(shift, p_index, last_place)
                if chosen is None:
                    break
                self._add(shift, p_index, chosen)

    def _take_back(self, shift: _Shift, keep: int) -> None:
        for p_index, vi in list(reversed(shift.planned[keep:])):
            self._remove(shift, p_index, vi)

    def _fill(self, shift: _Shift) -> None:
        if not any(o > 0 for o in shift.open):
            return
        keep = len(shift.planned)
        self._fill_greedy(shift)
        if self._group_valid(shift):
            return
        if not self._has_senior(shift.group):
            for p_index, vi in list(shift.planned[keep:]):
                if self.volunteers[vi].source.trainee:
                    self._remove(shift, p_index, vi)
            if len(shift.planned) > keep and self._group_valid(shift):
                return
        self._take_back(shift, keep)
        # The greedy group was too small or only trainees. Any valid group holds someone
        # who is no trainee, so trying each such first pick and completing greedily
        # finds a pair whenever one exists.
        need_senior = not self._has_senior(shift.group)
        for p_index in self._position_order(shift):
            if shift.open[p_index] <= 0:
                continue
            for vi in self._ranked(shift, p_index):
                if need_senior and self.volunteers[vi].source.trainee:
                    continue
                if not self._compatible(vi, shift.group) or not self._fits(vi, shift):
                    continue
                self._add(shift, p_index, vi)
                self._fill_greedy(shift)
                if self._group_valid(shift):
                    return
                self._take_back(shift, keep)

    def _scarcity(self, shift: _Shift) -> tuple:
        ratios = [
            len(shift.candidates[p]) / shift.open[p]
            for p in range(len(shift.open))
            if shift.open[p] > 0
        ]
        return (min(ratios) if ratios else math.inf, shift.start, shift.source.id)

    # -- repair -------------------------------------------------------------------------------

    def _try_transfer(self, shift: _Shift, p_index: int, donor: int, receiver: int) -> bool:
        """Move the place if every rule holds and the weighted objective improves.

        The objective is ``fairness`` times half the sum of squared loads plus the soft
        costs; moving a place from a load of ``d`` to one of ``r`` changes the first part
        by ``fairness * (r - d + 1)``, at least one ``fairness`` weight down when the
        receiver holds two fewer, which outweighs any preference with the default weights.
        """
        self._remove(shift, p_index, donor)
        fairness = self.weights.fairness
        d, r = self.volunteers[donor], self.volunteers[receiver]
        gain = fairness * (r.count - (d.count + 1) + 1)
        soft = (self._cost(receiver, shift) - fairness * r.count) - (
            self._cost(donor, shift) - fairness * d.count
        )
        if (
            gain + soft < 0
            and receiver not in shift.group
            and self._compatible(receiver, shift.group)
            and self._fits(receiver, shift)
        ):
            self._add(shift, p_index, receiver)
            if self._group_valid(shift):
                return True
            self._remove(shift, p_index, receiver)
        self._add(shift, p_index, donor)
        return False

    def _repair(self) -> None:
        """Move places from the most to the least loaded while every rule still holds.

        Passes repeat until one moves nothing: then no volunteer could hand a place to
        someone holding two fewer without breaking a hard rule.
        """
        budget = self.problem.repair_budget * max(1, sum(len(s.planned) for s in self.shifts))
        placements_of: dict[int, list[tuple[_Shift, int]]] = defaultdict(list)
        for shift in self.shifts:
            for p_index, vi in shift.planned:
                placements_of[vi].append((shift, p_index))
        while self.repair_moves < budget:
            moved = 0
            floor = min((v.count for v in self.volunteers if v.eligible), default=0)
            donors = sorted(
                (v for v in self.volunteers if placements_of[v.index]),
                key=lambda v: (-v.count, v.source.id),
            )
            for donor in donors:
                if donor.count < floor + 2:
                    break
                for shift, p_index in list(placements_of[donor.index]):
                    if donor.count < floor + 2:
                        break
                    receivers = sorted(
                        (
                            self._cost(vi, shift),
                            _mix(self.volunteers[vi].source.id, shift.source.id),
                            vi,
                        )
                        for vi in shift.candidates[p_index]
                        if self.volunteers[vi].count <= donor.count - 2
                    )
                    for *_, receiver in receivers:
                        if self._try_transfer(shift, p_index, donor.index, receiver):
                            placements_of[donor.index].remove((shift, p_index))
                            placements_of[receiver].append((shift, p_index))
                            self.repair_moves += 1
                            moved += 1
                            break
            if not moved:
                break

    # -- explanation --------------------------------------------------------------------------

    def _explain(self, shift: _Shift, p_index: int) -> Unfilled:
        source = shift.source
        position = source.positions[p_index]
        team = source.team_id
        pool = [v.index for v in self.volunteers if team is None or team in v.source.teams]
        steps: list[tuple[str, int]] = [(NO_CANDIDATES, len(pool))]
        group = set(shift.group) | {self.by_id[v] for v in source.excluded if v in self.by_id}
        pool = [vi for vi in pool if vi not in group]
        skill = position.required_skill
        pool = [vi for vi in pool if skill is None or skill in self.volunteers[vi].source.skills]
        steps.append((MISSING_SKILL, len(pool)))
        candidates = set(shift.candidates[p_index])
        windows_ok = []
        for vi in pool:
            windows = self.volunteers[vi].source.windows
            if vi in candidates or not windows or _covered(_merged_windows(windows), shift.pieces):
                windows_ok.append(vi)
        steps.append((UNAVAILABLE, len(windows_ok)))
        pool = [vi for vi in windows_ok if vi in candidates]
        steps.append((BLACKOUT, len(pool)))
        pool = [vi for vi in pool if self._clear_overlap(vi, shift)]
        steps.append((BUSY, len(pool)))
        pool = [vi for vi in pool if self._clear(vi, shift.start, shift.end) is None]
        steps.append((REST, len(pool)))
        pool = [vi for vi in pool if self._fits(vi, shift)]
        steps.append((AT_LIMIT, len(pool)))
        pool = [vi for vi in pool if self._compatible(vi, shift.group)]
        steps.append((NOT_TOGETHER, len(pool)))
        compatible = len(pool)
        if not self._has_senior(shift.group):
            pool = [vi for vi in pool if not self.volunteers[vi].source.trainee]
            steps.append((TRAINEES_ONLY, len(pool)))
        reason = next((name for name, count in steps if count == 0), WOULD_BE_ALONE)
        places = shift.open[p_index]
        detail = self._describe(reason, steps, skill, source.min_together, places)
        if reason == WOULD_BE_ALONE and compatible + len(shift.group) >= source.min_together:
            # Enough people are free, but no group of them may work together.
            reason = NOT_TOGETHER
            detail = (
                f"{compatible} could take it, but not with each other: some are marked "
                '"not together", or a trainee would be only with trainees.'
                f" ({places} place{'s' if places != 1 else ''} open.)"
            )
        return Unfilled(source.id, position.id, places, reason, detail, tuple(steps))

    def _clear_overlap(self, vi: int, shift: _Shift) -> bool:
        v = self.volunteers[vi]
        index = bisect_left(v.starts, shift.end)
        while index > 0:
            index -= 1
            if v.starts[index] < shift.start - v.longest:
                break
            if v.ends[index] > shift.start:
                return False
        return True

    @staticmethod
    def _describe(reason: str, steps: list, skill: str | None, together: int, places: int) -> str:
        counts = dict(steps)
        with_skill = counts.get(MISSING_SKILL, 0)
        texts = {
            NO_CANDIDATES: "Nobody is in the team to take it.",
            MISSING_SKILL: f"Nobody free in the team has the skill {skill}.",
            UNAVAILABLE: f"{with_skill} could take it, but none is available at that time "
            "(weekly availability).",
            BLACKOUT: f"{counts.get(UNAVAILABLE, 0)} are available that day of the week, "
            "but all are away then (blackout).",
            BUSY: f"{counts.get(BLACKOUT, 0)} are available, but all are busy at that time.",
            REST: f"{counts.get(BUSY, 0)} are free, but it would leave each of them less "
            "rest than they need.",
            AT_LIMIT: f"{counts.get(REST, 0)} are free, but all have reached their weekly "
            "or monthly limit.",
            NOT_TOGETHER: f"{counts.get(AT_LIMIT, 0)} are free, but each is marked "
            '"not together" with someone already on it.',
            TRAINEES_ONLY: "Only trainees are free, and a trainee never works without an "
            "experienced volunteer.",
            WOULD_BE_ALONE: f"Only {counts.get(NOT_TOGETHER, 0)} could take it, but this "
            f"activity needs at least {together} people together and nobody works it alone.",
        }
        suffix = f" ({places} place{'s' if places != 1 else ''} open.)"
        return texts[reason] + suffix

    # -- the whole run ------------------------------------------------------------------------

    def solve(self) -> Plan:
        self._eligibility()
        self._place_held()
        for shift in sorted(self.shifts, key=self._scarcity):
            self._fill(shift)
        # Repair and filling alternate: a move can free someone for an open place, and a
        # filled place can open a new move. Each filling pass that changes anything adds
        # a place, so this ends; it ends on a repair that found nothing to move.
        while True:
            self._repair()
            before = self._filled()
            for shift in self.shifts:
                self._fill(shift)
            if self._filled() == before:
                self._augment()
            if self._filled() == before:
                break
        return self._result()

    def _filled(self) -> int:
        return sum(len(shift.planned) for shift in self.shifts)

    # -- augmentation -------------------------------------------------------------------------

    def _augment(self) -> None:
        """Fill open shifts by moving someone out of another shift that others can refill.

        A volunteer blocked from an open shift only by one of their places (a weekly
        limit, rest hours, monthly hours) leaves that place; if the open shift can then
        be staffed and the left place refilled, more places are filled than before;
        otherwise everything is put back as it was. Only shifts one move away from being
        staffed are tried, each at most ``AUGMENT_TRIES`` times, so the pass stays cheap.
        """
        placements_of: dict[int, list[tuple[_Shift, int]]] = defaultdict(list)
        for shift in self.shifts:
            for p_index, vi in shift.planned:
                placements_of[vi].append((shift, p_index))
        for target in sorted(self.shifts, key=self._scarcity):
            need = sum(o for o in target.open if o > 0)
            if not need:
                continue
            pool = sorted(
                {vi for candidates in target.candidates for vi in candidates} - set(target.group)
            )
            free = [vi for vi in pool if self._fits(vi, target)]
            if len(free) + 1 < min(need, max(1, target.source.min_together - len(target.group))):
                continue  # one move cannot staff it
            blocked = sorted(
                (vi for vi in pool if vi not in free),
                key=lambda vi: (self.volunteers[vi].count, self.volunteers[vi].source.id),
            )
            tries = 0
            for vi in blocked:
                moved = False
                for shift, p_index in list(placements_of[vi]):
                    if shift is target:
                        continue
                    tries += 1
                    if self._eject_and_refill(target, shift, p_index, vi):
                        placements_of[vi].remove((shift, p_index))
                        for each in (target, shift):
                            for q_index, wi in each.planned:
                                if (each, q_index) not in placements_of[wi]:
                                    placements_of[wi].append((each, q_index))
                        moved = True
                        break
                    if tries >= AUGMENT_TRIES:
                        break
                if moved or tries >= AUGMENT_TRIES:
                    break

    def _eject_and_refill(self, target: _Shift, shift: _Shift, p_index: int, vi: int) -> bool:
        before = self._filled()
        self._remove(shift, p_index, vi)
        spot = next(
            (
                q
                for q in self._position_order(target)
                if target.open[q] > 0 and vi in target.candidates[q]
            ),
            None,
        )
        if spot is None or not (self._compatible(vi, target.group) and self._fits(vi, target)):
            self._add(shift, p_index, vi)
            return False
        target_keep, shift_keep = len(target.planned), len(shift.planned)
        self._add(target, spot, vi)
        self._fill_greedy(target)
        if self._group_valid(target):
            self._fill_greedy(shift)
            if self._filled() > before and self._group_valid(shift):
                return True
        self._take_back(shift, shift_keep)
        self._take_back(target, target_keep)
        self._add(shift, p_index, vi)
        return False

    def _result(self) -> Plan:
        placements = []
        unfilled = []
        preferences_met = avoided_given = 0
        for shift in self.shifts:
            positions = shift.source.positions
            for p_index, vi in sorted(shift.planned):
                source = self.volunteers[vi].source
                placements.append(Placement(shift.source.id, positions[p_index].id, source.id))
                preferences_met += shift.source.activity in source.preferred
                avoided_given += shift.source.activity in source.avoided
            for p_index, open_places in enumerate(shift.open):
                if open_places > 0:
                    unfilled.append(self._explain(shift, p_index))
        loads = tuple(
            Load(v.source.id, v.count, round(v.hours, 2), v.kept, v.eligible)
            for v in self.volunteers
        )
        counted = [v for v in self.volunteers if v.eligible]
        counts = [v.count for v in counted]
        spread = max(counts) - min(counts) if counts else 0
        mean = sum(counts) / len(counts) if counts else 0.0
        stdev = math.sqrt(sum((c - mean) ** 2 for c in counts) / len(counts)) if counts else 0.0
        return Plan(
            placements=tuple(placements),
            unfilled=tuple(unfilled),
            loads=loads,
            spread=spread,
            spread_equally_available=self._spread_equally_available(counted),
            stdev=round(stdev, 3),
            preferences_met=preferences_met,
            avoided_given=avoided_given,
            repair_moves=self.repair_moves,
        )

    def _spread_equally_available(self, counted: list[_Volunteer]) -> int:
        seats: dict[int, list[tuple[int, int]]] = defaultdict(list)
        kept: dict[int, list[int]] = defaultdict(list)
        for shift in self.shifts:
            for p_index, candidates in enumerate(shift.candidates):
                for vi in candidates:
                    seats[vi].append((shift.index, p_index))
            planned = {vi for _, vi in shift.planned}
            for vi in shift.group:
                if vi not in planned:
                    kept[vi].append(shift.index)
        classes: dict[tuple, list[int]] = defaultdict(list)
        for v in counted:
            source = v.source
            key = (tuple(seats[v.index]), source.limits, source.commitments, tuple(kept[v.index]))
            classes[key].append(v.count)
        return max((max(c) - min(c) for c in classes.values() if len(c) > 1), default=0)


def solve(problem: Problem) -> Plan:
    """Fill the problem's places; deterministic for the same problem."""
    return _Solver(problem).solve()


def within_availability(
    windows: Iterable[Window],
    blackouts: Iterable[tuple[datetime, datetime]],
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
) -> bool:
    """True when [starts_at, ends_at) lies inside a weekly window and outside every blackout.

    The same rule the solver applies when it decides who may ever take a place; swaps
    and cover offers ask it too.
    """
    if any(a < ends_at and b > starts_at for a, b in blackouts):
        return False
    windows = tuple(windows)
    if not windows:
        return True
    zone = ZoneInfo(timezone)
    return _covered(
        _merged_windows(windows),
        _local_pieces(starts_at.astimezone(zone), ends_at.astimezone(zone)),
    )
