"""SLA policies over the API: read (defaults), set by admins, scope, bad input, audit; a stored
policy drives new due times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World
from inbox.support import ADMIN, COMMS, MODERATOR, at, deliver, event, make_channels, thread_of
from publishing.support import login_as

from app.inbox.models import SlaPolicy
from app.kit.db import Database

SLA = "/api/v1/inbox/sla-policies"


def body(**values: Any) -> dict[str, Any]:
    return {
        "office_targets": {"urgent": 10, "high": 30, "normal": 120, "low": 480},
        "on_call_targets": {"urgent": 10, "high": 90, "normal": 600, "low": 1440},
        "office_hours": {"0": ["07:00", "19:00"], "5": ["09:00", "13:00"]},
    } | values


class TestSlaPolicyApi:
    async def test_defaults_then_admin_sets_it_audited(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        url = f"{SLA}/{world.clinic_a.id}"
        default = await client.get(url, headers=await login_as(client, world, MODERATOR))
        stored = await client.put(url, json=body(), headers=await login_as(client, world, ADMIN))
        again = await client.put(
            url, json=body(office_hours={}), headers=await login_as(client, world, ADMIN)
        )

        assert default.status_code == 200, default.text
        assert default.json()["is_default"] is True
        assert default.json()["timezone"] == "Europe/Berlin"
        assert default.json()["office_targets"]["high"] == 60
        assert stored.status_code == 200, stored.text
        assert stored.json()["is_default"] is False
        assert stored.json()["office_hours"] == {"0": ["07:00", "19:00"], "5": ["09:00", "13:00"]}
        assert again.json()["office_hours"] == {}
        assert await count(database, SlaPolicy) == 1
        assert (await audit_actions(database)).count("inbox.sla_policy_updated") == 2

    async def test_stored_policy_sets_new_due_times(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        await client.put(
            f"{SLA}/{world.clinic_a.id}", json=body(), headers=await login_as(client, world, ADMIN)
        )
        channels = await make_channels(database, world)
        monday_early = at("2026-03-30T05:30:00+00:00")  # 07:30 CEST: office in this policy

        result = await deliver(
            database, event(channels.a, "Welche Dosis soll ich nehmen?", sent_at=monday_early)
        )

        thread = await thread_of(database, result.thread.id)
        assert thread.first_response_due_at == monday_early + timedelta(minutes=30)

    async def test_scope_and_permissions(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        moderator = await login_as(client, world, MODERATOR)
        assert_problem(await client.get(f"{SLA}/{world.clinic_b.id}", headers=moderator), 404)
        assert_problem(
            await client.put(f"{SLA}/{world.clinic_a.id}", json=body(), headers=moderator), 403
        )
        assert_problem(
            await client.put(
                f"{SLA}/{world.clinic_a.id}",
                json=body(),
                headers=await login_as(client, world, COMMS),
            ),
            403,
        )
        other = await login_as(client, world, OTHER_ADMIN)
        assert_problem(
            await client.put(f"{SLA}/{world.clinic_a.id}", json=body(), headers=other), 404
        )
        assert await count(database, SlaPolicy) == 0

    @pytest.mark.parametrize(
        "values",
        [
            {"office_hours": {"7": ["08:00", "17:00"]}},
            {"office_hours": {"0": ["17:00", "08:00"]}},
            {"office_hours": {"0": ["8:00", "17:00"]}},
            {"office_hours": {"0": ["08:00"]}},
            {"office_targets": {"urgent": 0, "high": 30, "normal": 120, "low": 480}},
            {"on_call_targets": {"urgent": 10, "high": 90, "normal": 600}},
            {"extra": 1},
        ],
    )
    async def test_bad_input_answers_422_and_writes_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World, values: dict[str, Any]
    ) -> None:
        response = await client.put(
            f"{SLA}/{world.clinic_a.id}", json=body(**values),
            headers=await login_as(client, world, ADMIN),
        )  # fmt: skip

        assert_problem(response, 422)
        assert await count(database, SlaPolicy) == 0
        assert "inbox.sla_policy_updated" not in await audit_actions(database)
