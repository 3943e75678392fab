"""First-response due times: office vs on-call targets in the clinic's zone, DST-correct."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from fixtures.world import World
from inbox.support import at, deliver, event, make_channels, thread_of

from app.inbox.models import Priority, SlaPolicy
from app.inbox.sla import Policy, due_at, in_office_hours
from app.kit.db import Database

BERLIN = Policy.of(None, "Europe/Berlin")


class TestOfficeHours:
    def test_winter_and_summer_time_in_berlin(self) -> None:
        # 07:30 UTC is 08:30 CET (office) on Friday before the change…
        assert in_office_hours(BERLIN, at("2026-03-27T07:30:00+00:00"))
        # …06:30 UTC is 07:30 CET: before office hours…
        assert not in_office_hours(BERLIN, at("2026-03-27T06:30:00+00:00"))
        # …but on Monday after the change 06:30 UTC is 08:30 CEST: office hours.
        assert in_office_hours(BERLIN, at("2026-03-30T06:30:00+00:00"))
        # 16:30 UTC is 17:30 CET in winter (closed) and 18:30 CEST in summer (closed);
        # 15:30 UTC is 16:30 CET (open) but 17:30 CEST (closed).
        assert in_office_hours(BERLIN, at("2026-03-27T15:30:00+00:00"))
        assert not in_office_hours(BERLIN, at("2026-03-30T15:30:00+00:00"))

    def test_weekend_is_on_call(self) -> None:
        assert not in_office_hours(BERLIN, at("2026-03-28T10:00:00+00:00"))


class TestDueAt:
    def test_office_and_on_call_targets(self) -> None:
        office = at("2026-03-30T08:00:00+00:00")  # Monday 10:00 CEST
        night = at("2026-03-30T22:00:00+00:00")  # Tuesday 00:00 CEST

        assert due_at(BERLIN, Priority.high, office) == office + timedelta(minutes=60)
        assert due_at(BERLIN, Priority.high, night) == night + timedelta(minutes=240)
        assert due_at(BERLIN, Priority.urgent, night) == night + timedelta(minutes=15)

    def test_target_across_the_dst_change_is_real_elapsed_time(self) -> None:
        # Sunday 29 March 2026, 00:30 UTC = 01:30 CET; at 02:00 CET clocks jump to 03:00 CEST.
        arrived = at("2026-03-29T00:30:00+00:00")
        due = due_at(BERLIN, Priority.normal, arrived)  # on-call: 720 minutes

        assert due == at("2026-03-29T12:30:00+00:00")
        assert due.astimezone(BERLIN_ZONE).hour == 14  # 14:30 CEST, twelve real hours later

    def test_autumn_change_in_office_hours(self) -> None:
        # Monday 26 October 2026 (after the change back): 07:30 UTC = 08:30 CET, office.
        monday = at("2026-10-26T07:30:00+00:00")
        friday = at("2026-10-23T06:30:00+00:00")  # 08:30 CEST, office too

        assert due_at(BERLIN, Priority.high, monday) == monday + timedelta(minutes=60)
        assert due_at(BERLIN, Priority.high, friday) == friday + timedelta(minutes=60)
        assert not in_office_hours(BERLIN, at("2026-10-26T06:30:00+00:00"))  # 07:30 CET

    def test_other_time_zone(self) -> None:
        new_york = Policy.of(None, "America/New_York")
        moment = at("2026-03-30T13:00:00+00:00")  # 09:00 EDT

        assert in_office_hours(new_york, moment)
        assert not in_office_hours(BERLIN, at("2026-03-30T17:00:00+00:00"))


class TestClinicPolicy:
    async def test_thread_due_from_the_clinic_policy(
        self, database: Database, world: World
    ) -> None:
        async with database.session_scope() as session:
            session.add(
                SlaPolicy(
                    organization_id=world.org.id, clinic_id=world.clinic_a.id,
                    office_targets={"high": 30}, on_call_targets={"high": 90},
                    office_hours={str(d): ["07:00", "19:00"] for d in range(7)},
                )
            )  # fmt: skip
        channels = await make_channels(database, world)
        sunday_morning = at("2026-03-29T05:30:00+00:00")  # 07:30 CEST, office in this policy
        sunday_night = at("2026-03-29T20:00:00+00:00")  # 22:00 CEST

        day = await deliver(
            database, event(channels.a, "Welche Dosis soll ich nehmen?", sent_at=sunday_morning)
        )
        night = await deliver(
            database, event(channels.a, "Welche Dosis soll ich nehmen?", sent_at=sunday_night)
        )
        default = await deliver(
            database, event(channels.b, "Welche Dosis soll ich nehmen?", sent_at=sunday_morning)
        )

        assert (await thread_of(database, day.thread.id)).first_response_due_at == (
            sunday_morning + timedelta(minutes=30)
        )
        assert (await thread_of(database, night.thread.id)).first_response_due_at == (
            sunday_night + timedelta(minutes=90)
        )
        # clinic B has no policy: defaults, Sunday is on call → 240 minutes for high
        assert (await thread_of(database, default.thread.id)).first_response_due_at == (
            sunday_morning + timedelta(minutes=240)
        )


BERLIN_ZONE = ZoneInfo("Europe/Berlin")
