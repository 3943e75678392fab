"""The publish-time re-check: a consent that expired after approval stops the publication
(failed with a readable reason, not retried, author notified, audited) on the sandbox."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from compliance.support import POSTS, Api, api
from fixtures.approvals import Reviewers
from fixtures.consents import link_consent, make_consent
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import (
    Target,
    connect_mastodon,
    load,
    make_due,
    publishing_env,
    run_publisher,
    sandbox_posts,
)
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.permissions import Role
from app.config import Settings
from app.consent.models import Consent
from app.kit.db import Database
from app.kit.time import utc_now
from app.notifications.models import Notification
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S

__all__ = ["api", "publishing_env"]


class Consents:
    """The consent record linked to the test's patient story (real rows), changed behind the
    API's back the way time and a withdrawal change it before the worker's jobs notice."""

    def __init__(self, database: Database, world: World) -> None:
        self.database = database
        self.world = world
        self.consent: Consent | None = None

    async def linked_to(self, post_id: str) -> None:
        self.consent = await make_consent(
            self.database, self.world, valid_until=utc_now() + timedelta(days=30)
        )
        await link_consent(self.database, uuid.UUID(post_id), self.consent)

    async def change(self, **values: Any) -> None:
        assert self.consent is not None
        async with self.database.session_scope() as session:
            consent = await session.get(Consent, self.consent.id)
            assert consent is not None
            for key, value in values.items():
                setattr(consent, key, value)


@pytest.fixture
def consents(database: Database, world: World) -> Consents:
    return Consents(database, world)


async def scheduled_patient_story(
    api: Api, target: Target, database: Database, consents: Consents, world: World
) -> tuple[dict[str, Any], Publication]:
    """A patient story with a valid consent: submitted, approved (medical, then privacy),
    scheduled, then due."""
    post = await api.create(
        [target.channel.id], category="patient_story",
        base_text="Herr L. erzählt, wie die Reha ihm geholfen hat.",
    )  # fmt: skip
    await consents.linked_to(post["id"])
    path = f"{POSTS}/{post['id']}"
    assert (await api.call(Role.editor, "POST", f"{path}/submit")).status_code == 200
    await Reviewers(api.client, world).approve_all(post["id"])
    when = (utc_now() + timedelta(minutes=2)).isoformat()
    response = await api.call(Role.editor, "POST", f"{path}/schedule", {"scheduled_at": when})
    assert response.status_code == 200, response.text
    async with database.session_scope() as session:
        publication = (
            await session.execute(
                select(Publication).where(Publication.post_id == uuid.UUID(post["id"]))
            )
        ).scalar_one()
    await make_due(database, publication.id)
    return post, publication


@pytest.fixture
async def target(
    publishing_env: SandboxServer, database: Database, settings: Settings, world: World
) -> Target:
    return await connect_mastodon(database, settings, publishing_env, world.clinic_a, "reha")


class TestPublishRecheck:
    async def test_consent_still_valid_publishes(
        self, api: Api, consents: Consents, target: Target, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World,
    ) -> None:  # fmt: skip
        _post, publication = await scheduled_patient_story(api, target, database, consents, world)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published
        assert len(sandbox_posts(publishing_env, target)) == 1

    async def test_consent_expired_after_approval_fails_the_publication(
        self, api: Api, consents: Consents, target: Target, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World,
    ) -> None:  # fmt: skip
        post, publication = await scheduled_patient_story(api, target, database, consents, world)
        await consents.change(valid_until=utc_now() - timedelta(minutes=1))

        await run_publisher(database, settings)

        failed = await load(database, publication.id)
        assert failed.status is S.failed
        assert failed.error_code == "compliance_blocked"
        assert failed.last_error
        assert "consent.expired" in failed.last_error
        assert "abgelaufen" in failed.last_error
        assert sandbox_posts(publishing_env, target) == []
        # Not retried: the next iterations leave it alone.
        await make_due(database, publication.id, status=S.failed)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.failed
        assert sandbox_posts(publishing_env, target) == []
        detail = await api.call(Role.editor, "GET", f"{POSTS}/{post['id']}")
        assert detail.json()["status"] == "failed"
        async with database.session_scope() as session:
            notes = list(
                (
                    await session.execute(
                        select(Notification).where(Notification.kind == "publication_failed")
                    )
                ).scalars()
            )
            events = list(
                (
                    await session.execute(
                        select(AuditEvent).where(AuditEvent.action == "publication.failed")
                    )
                ).scalars()
            )
        assert [n.user_id for n in notes] == [world.user(Role.editor).id]
        assert notes[0].target_id == uuid.UUID(post["id"])
        [event] = events
        assert event.details["error_code"] == "compliance_blocked"
        assert event.details["rules"] == ["consent.expired"]

    async def test_withdrawn_consent_overridden_by_the_privacy_officer_publishes(
        self, api: Api, consents: Consents, target: Target, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World,
    ) -> None:  # fmt: skip
        post, publication = await scheduled_patient_story(api, target, database, consents, world)
        await consents.change(withdrawn_at=utc_now() - timedelta(seconds=5))
        finding = next(
            f
            for f in (await api.compliance(post["id"]))["findings"]
            if f["rule"] == "consent.expired"
        )
        response = await api.override(
            post["id"], finding["fingerprint"], "Widerruf betrifft nur Instagram, laut Telefonat."
        )
        assert response.status_code == 201, response.text

        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published
