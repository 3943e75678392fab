"""The publish-time re-check: a consent that expired after approval stops the publication
(failed with a readable reason, not retried, author notified, audited) on the sandbox."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from compliance.support import POSTS, Api, api
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
from app.compliance import service as compliance_module
from app.compliance.consent_rules import ConsentFacts
from app.config import Settings
from app.kit.db import Database
from app.kit.time import utc_now
from app.notifications.models import Notification
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S

__all__ = ["api", "publishing_env"]


class Consents:
    """Stands in for the consent tables (another branch) through the one seam,
    ``load_consent_facts``: the consent linked to every post, changeable during the test."""

    def __init__(self) -> None:
        self.facts = ConsentFacts(id=uuid.uuid4(), valid_until=utc_now() + timedelta(days=30))

    async def __call__(self, session: object, post: object) -> list[ConsentFacts]:
        return [self.facts]


@pytest.fixture
def consents(monkeypatch: pytest.MonkeyPatch) -> Consents:
    seam = Consents()
    monkeypatch.setattr(compliance_module, "load_consent_facts", seam)
    return seam


async def scheduled_patient_story(
    api: Api, target: Target, database: Database
) -> tuple[dict[str, Any], Publication]:
    """A patient story with a valid consent: submitted, approved, scheduled, then due."""
    post = await api.create(
        [target.channel.id], category="patient_story",
        base_text="Herr L. erzählt, wie die Reha ihm geholfen hat.",
    )  # fmt: skip
    path = f"{POSTS}/{post['id']}"
    assert (await api.call(Role.editor, "POST", f"{path}/submit")).status_code == 200
    assert (await api.call(Role.comms_lead, "POST", f"{path}/approve")).status_code == 200
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
        database: Database, settings: Settings,
    ) -> None:  # fmt: skip
        _post, publication = await scheduled_patient_story(api, target, database)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published
        assert len(sandbox_posts(publishing_env, target)) == 1

    async def test_consent_expired_after_approval_fails_the_publication(
        self, api: Api, consents: Consents, target: Target, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World,
    ) -> None:  # fmt: skip
        post, publication = await scheduled_patient_story(api, target, database)
        consents.facts = ConsentFacts(
            id=consents.facts.id, valid_until=utc_now() - timedelta(minutes=1)
        )

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
            notes = list((await session.execute(select(Notification))).scalars())
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
        database: Database, settings: Settings,
    ) -> None:  # fmt: skip
        post, publication = await scheduled_patient_story(api, target, database)
        consents.facts = ConsentFacts(
            id=consents.facts.id, withdrawn_at=utc_now() - timedelta(seconds=5)
        )
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
