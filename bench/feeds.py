"""Calendar feeds: render, re-assemble and serve, with icalendar and a static response beside.

    .venv/bin/python bench/feeds.py            # about two minutes on two cores

Prints, all measured in this one run:

1. cold render of a 500-event volunteer feed and a 5,000-event community feed
   (fragment cache empty) next to icalendar building and serialising the same
   events (the floor); target: no slower than icalendar;
2. re-assembly of a 2,000-event feed after one event changed (fragments cached);
   target: 10 ms or less;
3. requests per second for 200 and 304 answers of a stored feed, next to a plain
   static response of the same size from the same server (waitress on
   127.0.0.1, a free port in 8300-8399), under a bounded load from a second
   process; target: 304s at 80 % or more of the static rate.

The database figures (rendering and storing through SQLite, as the outbox
handler does) are printed too, without a target.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import icalendar

from service.calendars import ical

PORTS = range(8300, 8400)
REPEAT = 5
LOAD_CONNECTIONS = 4
#: Bounded load: this many requests per kind and round, and never longer than this.
LOAD_REQUESTS = {"static-200": 200, "304": 1500, "200": 200, "static-304": 1500}
LOAD_SECONDS = 30
ROUNDS = 5


# --- the events ------------------------------------------------------------------------------


def sample_events(count: int, *, personal: bool) -> list[ical.CalendarEvent]:
    """Events shaped like the feeds': a Madrid patrol or a Shanghai clean-up, Spanish text."""
    start = datetime(2026, 12, 1, 18, tzinfo=UTC)
    events = []
    for n in range(count):
        zone = "Europe/Madrid" if n % 3 else "Asia/Shanghai"
        starts_at = start + timedelta(hours=9 * n)
        description = (
            "Puesto: Caminante\nEquipo: Patrulla nocturna\nCon: Luis Pérez, Marta Ruiz\n"
            "Contacto: Marta Ruiz, +34 600 000 000, marta@example.org\n"
            f"Actividad: https://rounds.example.org/api/v1/events/{n}"
            if personal
            else "3 plazas libres: se buscan voluntarios\n"
            "Contacto: Marta Ruiz, +34 600 000 000, marta@example.org"
        )
        events.append(
            ical.CalendarEvent(
                uid=f"event-{n}@rounds.example.org",
                sequence=n % 4,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                timezone=zone,
                status=ical.Status.CONFIRMED if n % 5 else ical.Status.TENTATIVE,
                summary=f"Patrulla nocturna {n} (Caminante)" if personal else f"Limpieza {n}",
                last_modified=start - timedelta(days=3),
                created=start - timedelta(days=10),
                description=description,
                location="Plaza de Lavapiés, Madrid",
                url=f"https://rounds.example.org/api/v1/events/{n}" if personal else None,
                categories=("Patrulla",),
                transparent=not personal,
                alarms=(timedelta(hours=24), timedelta(hours=2)) if personal else (),
            )
        )
    return events


HEADER = ical.CalendarHeader(name="Lavapiés", description="Bench", timezone="Europe/Madrid")


def render_ours(events: list[ical.CalendarEvent]) -> bytes:
    return ical.assemble(HEADER, [ical.vevent(event) for event in events])


def render_icalendar(events: list[ical.CalendarEvent]) -> bytes:
    """The same calendar built and serialised with icalendar's objects."""
    calendar = icalendar.Calendar()
    for name, value in (
        ("VERSION", "2.0"),
        ("PRODID", ical.PRODID),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("NAME", HEADER.name),
        ("X-WR-CALNAME", HEADER.name),
        ("REFRESH-INTERVAL", timedelta(hours=1)),
        ("X-PUBLISHED-TTL", "PT1H"),
    ):
        calendar.add(name, value)
    for zone in sorted({event.timezone for event in events}):
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                ZoneInfo(zone), tzid=zone, first_date=datetime(2025, 1, 1).date()
            )
        )
    for event in events:
        zone = ZoneInfo(event.timezone)
        component = icalendar.Event()
        component.add("UID", event.uid)
        component.add("DTSTAMP", event.last_modified)
        component.add("DTSTART", event.starts_at.astimezone(zone))
        component.add("DTEND", event.ends_at.astimezone(zone))
        component.add("SEQUENCE", event.sequence)
        component.add("STATUS", event.status.value)
        component.add("SUMMARY", event.summary)
        component.add("CREATED", event.created)
        component.add("LAST-MODIFIED", event.last_modified)
        component.add("DESCRIPTION", event.description)
        component.add("LOCATION", event.location)
        if event.url:
            component.add("URL", event.url)
        component.add("CATEGORIES", list(event.categories))
        component.add("TRANSP", "TRANSPARENT" if event.transparent else "OPAQUE")
        for before in event.alarms:
            alarm = icalendar.Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", event.summary)
            alarm.add("TRIGGER", -before)
            component.add_component(alarm)
        calendar.add_component(component)
    return calendar.to_ical()


def best_of(function, *args, before=None) -> float:
    """The median of REPEAT runs, in milliseconds."""
    times = []
    for _ in range(REPEAT):
        if before:
            before()
        started = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_rendering() -> None:
    print("1. cold render (fragment cache empty) vs icalendar alone, median of", REPEAT)
    for label, count, personal in (("volunteer", 500, True), ("community", 5000, False)):
        events = sample_events(count, personal=personal)
        ours = best_of(render_ours, events, before=ical.vevent.cache_clear)
        floor = best_of(render_icalendar, events)
        size = len(render_ours(events))
        verdict = "meets" if ours <= floor else "MISSES"
        print(
            f"   {label} feed, {count} events ({size / 1024:.0f} KiB): ours {ours:.1f} ms, "
            f"icalendar {floor:.1f} ms, ratio {ours / floor:.2f} "
            f"[target <= 1.00: {verdict}]"
        )


def bench_reassembly() -> None:
    events = sample_events(2000, personal=True)
    ical.vevent.cache_clear()
    render_ours(events)  # every fragment cached, as after the previous render
    now = datetime(2026, 12, 1, tzinfo=UTC)
    times = []
    for n in range(REPEAT * 4):
        changed = list(events)
        changed[n * 37] = replace(
            changed[n * 37], sequence=changed[n * 37].sequence + 1, location=f"Puerta {n}"
        )
        started = time.perf_counter()
        fragments = [ical.vevent(event) for event in changed]
        body = ical.assemble(HEADER, ical.within_budget(fragments, 10**9, now))
        times.append((time.perf_counter() - started) * 1000)
    verdict = "meets" if statistics.median(times) <= 10 else "MISSES"
    print(
        f"2. re-assembly of a 2,000-event feed ({len(body) / 1024:.0f} KiB) after one change: "
        f"median {statistics.median(times):.2f} ms, worst {max(times):.2f} ms "
        f"[target <= 10 ms: {verdict}]"
    )


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8300-8399")


def build_app(folder: Path):
    from flask import Response
    from flask_migrate import upgrade

    from service import create_app
    from service.core.config import load_settings

    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnop",
            "BASE_URL": "http://127.0.0.1",
        },
        instance_path=folder,
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
    static = {}

    @app.route("/bench/static/<name>")
    def bench_static(name: str):
        """The same bytes as a feed, with none of the work: the baseline."""
        body, etag = static[name]
        response = Response(body, mimetype="text/calendar", headers={"ETag": f'"{etag}"'})
        return response.make_conditional(_request())

    app.extensions["bench.static"] = static
    return app


def _request():
    from flask import request

    return request


def populate(app) -> dict:
    """An organization with 7,000 events: 5,000 in one community, 500 of them Ana's."""
    from service.accounts import operations as accounts
    from service.activities import operations as activities
    from service.activities.models import ActivityType, EventStatus
    from service.assignments import operations as assignments
    from service.calendars import operations as calendars
    from service.communities import operations as communities
    from service.core.auth import Role
    from service.core.db import db
    from service.core.time import utcnow

    started = time.perf_counter()
    with app.app_context():
        _org, membership, _token = accounts.create_organization(
            "Bench", admin_email="admin@bench.example.org"
        )
        admin = accounts.actor_for_membership(membership)
        places = [
            communities.create_community(
                admin,
                {
                    "name": name,
                    "timezone": "Europe/Madrid",
                    "locale": "es",
                    "contact_name": "Marta Ruiz",
                    "contact_phone": "+34 600 000 000",
                },
            )
            for name in ("Lavapiés", "Embajadores")
        ]
        ana = accounts.add_member(
            admin,
            email="ana@bench.example.org",
            name="Ana García",
            role=Role.VOLUNTEER,
            locale="es",
            timezone="Europe/Madrid",
        )
        patrol = db.session.scalar(
            db.select(ActivityType.id).where(
                ActivityType.organization_id == admin.organization_id, ActivityType.key == "patrol"
            )
        )
        first = (utcnow() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        counts = ((places[0], 5000, timedelta(minutes=50)), (places[1], 2000, timedelta(hours=2)))
        ids: dict[int, list] = {}
        for community, count, spacing in counts:
            ids[community.id] = []
            for n in range(count):
                starts_at = first + spacing * n
                event = activities.create_event(
                    admin,
                    {
                        "community_id": community.id,
                        "activity_type_id": patrol,
                        "title": f"Patrulla {n}",
                        "location": "Plaza de Lavapiés",
                        "description": "Chaleco y linterna.",
                        "starts_at": starts_at,
                        "ends_at": starts_at + timedelta(minutes=45),
                        "status": EventStatus.PUBLISHED,
                        "positions": [{"name": "Caminante", "min_people": 2, "max_people": 3}],
                    },
                )
                ids[community.id].append((event.id, event.positions[0].id))
            db.session.commit()
        for _event_id, position_id in ids[places[0].id][::10]:  # 500 places, 8 h 20 apart
            assignments.assign(
                admin, position_id=position_id, volunteer_id=ana.volunteer.id, confirmed=True
            )
        db.session.commit()
        volunteer = accounts.actor_for_user(ana.user_id, admin.organization_id)
        personal, personal_token = calendars.create_feed(volunteer, {"scope": "personal"})
        public, public_token = calendars.create_feed(
            admin, {"scope": "community", "community_id": places[0].id}
        )
        second, _ = calendars.create_feed(
            admin, {"scope": "community", "community_id": places[1].id}
        )
        db.session.commit()
        print(f"   (built 7,000 events and 500 places in {time.perf_counter() - started:.0f} s)")
        return {
            "admin": admin,
            "personal": (personal.id, personal_token),
            "public": (public.id, public_token),
            "second": (second.id, places[1].id, ids[places[1].id]),
        }


def bench_database(app, world: dict) -> None:
    from service.activities import operations as activities
    from service.calendars import operations as calendars
    from service.calendars.models import CalendarFeed
    from service.core.db import db

    print("   through the database (load, render, gzip, store; no target):")
    with app.app_context():
        for label, key in (("volunteer, 500 places", "personal"), ("community, 5,000", "public")):
            feed = db.session.get(CalendarFeed, world[key][0])

            def cold(feed=feed):
                ical.vevent.cache_clear()
                calendars.store_rendering(feed, calendars.PAST_DAYS_DEFAULT)

            milliseconds = best_of(cold)
            row = calendars.store_rendering(feed, calendars.PAST_DAYS_DEFAULT)
            db.session.commit()
            print(
                f"   - {label}: cold {milliseconds:.0f} ms; stored {row.event_count} events, "
                f"{len(row.body) / 1024:.0f} KiB ({len(row.body_gzip) / 1024:.0f} KiB gzip)"
            )
        feed_id, _community, events = world["second"]
        feed = db.session.get(CalendarFeed, feed_id)
        calendars.store_rendering(feed, calendars.PAST_DAYS_DEFAULT)
        db.session.commit()
        times = []
        for n in range(REPEAT):
            event_id = events[n * 100][0]
            activities.update_event(world["admin"], event_id, {"location": f"Puerta {n}"})
            payload = {"event_id": event_id, "community_id": _community, "team_id": None}
            started = time.perf_counter()
            calendars.refresh_feeds_for_outbox_event(
                world["admin"].organization_id, "event.updated", payload
            )
            db.session.commit()
            times.append((time.perf_counter() - started) * 1000)
        row_count = calendars.feed_body(feed_id, calendars.PAST_DAYS_DEFAULT, compressed=False)
        print(
            f"   - the outbox handler after one change in a 2,000-event community: "
            f"median {statistics.median(times):.0f} ms ({len(row_count) / 1024:.0f} KiB stored)"
        )


def serve(app, port: int):
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" under load

    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server


def load(port: int, path: str, headers: dict, count: int, queue) -> None:
    """The second process: ``count`` GETs over keep-alive connections, at most LOAD_SECONDS."""
    import http.client

    deadline = time.monotonic() + LOAD_SECONDS
    done = [0]
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                if done[0] >= count:
                    break
                done[0] += 1
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(LOAD_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    queue.put((sum(statuses.values()) / elapsed, statuses))


def rate(port: int, path: str, headers: dict, count: int, expect: int) -> float:
    queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(
        target=load, args=(port, path, headers, count, queue)
    )
    process.start()
    per_second, statuses = queue.get(timeout=LOAD_SECONDS + 30)
    process.join()
    if set(statuses) != {expect}:
        raise SystemExit(f"{path}: expected only {expect}, got {statuses}")
    return per_second


def ratio(figures: dict[str, list[float]], ours: str, theirs: str) -> float:
    """The median of the ratios measured in the same round."""
    return statistics.median(a / b for a, b in zip(figures[ours], figures[theirs], strict=True))


def bench_serving(app, world: dict, port: int) -> None:
    import urllib.request

    base = f"http://127.0.0.1:{port}"
    print(
        f"3. served by waitress on 127.0.0.1:{port}, load from a second process "
        f"({LOAD_CONNECTIONS} keep-alive connections), medians of {ROUNDS} rounds, "
        "ratios taken within each round:"
    )
    for label, key in (("volunteer feed", "personal"), ("community feed", "public")):
        path = f"/calendars/{world[key][1]}.ics"
        with urllib.request.urlopen(base + path) as answer:  # renders and stores it once
            body = answer.read()
            etag = answer.headers["ETag"].strip('"')
        app.extensions["bench.static"][key] = (body, etag)
        static = f"/bench/static/{key}"
        conditional = {"If-None-Match": f'"{etag}"'}
        requests = {
            "static-200": (static, {}, 200),
            "304": (path, conditional, 304),
            "200": (path, {}, 200),
            "static-304": (static, conditional, 304),
        }
        figures: dict[str, list[float]] = {kind: [] for kind in requests}
        for round_ in range(ROUNDS):
            # Alternate the order, so neither side always runs first on a shared machine.
            for kind in list(requests)[:: 1 if round_ % 2 == 0 else -1]:
                target, headers, status = requests[kind]
                figures[kind].append(rate(port, target, headers, LOAD_REQUESTS[kind], status))
        median = {kind: statistics.median(values) for kind, values in figures.items()}

        ratio_304 = ratio(figures, "304", "static-200")
        print(
            f"   {label} ({len(body) / 1024:.0f} KiB): "
            f"200 {median['200']:.0f}/s vs static 200 {median['static-200']:.0f}/s "
            f"({ratio(figures, '200', 'static-200'):.0%}); "
            f"304 {median['304']:.0f}/s vs static 200 ({ratio_304:.0%}) "
            f"[target >= 80 %: {'meets' if ratio_304 >= 0.8 else 'MISSES'}], "
            f"vs static 304 {median['static-304']:.0f}/s "
            f"({ratio(figures, '304', 'static-304'):.0%}); "
            f"304/static-200 per round: "
            + ", ".join(
                f"{a / b:.0%}" for a, b in zip(figures["304"], figures["static-200"], strict=True)
            )
        )


def main() -> None:
    print(f"Rounds feed benchmark, icalendar {icalendar.__version__}, {os.cpu_count()} CPUs")
    bench_rendering()
    bench_reassembly()
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        app = build_app(Path(folder))
        world = populate(app)
        bench_database(app, world)
        port = free_port()
        server = serve(app, port)
        try:
            bench_serving(app, world, port)
        finally:
            server.close()


if __name__ == "__main__":
    main()
