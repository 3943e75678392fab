"""Consent records over the API: CRUD and validation, scope, the encrypted document, links to
posts."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from consent.support import ADMIN, EDITOR, MODERATOR, OFFICER, withdraw
from fixtures.consents import make_consent
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World
from PIL import Image
from publishing.support import login_as
from sqlalchemy import select

from app.auth.permissions import Role
from app.consent.models import Consent, ConsentDocument, PostConsent
from app.kit.db import Database
from app.kit.time import utc_now
from app.posts.models import Post, PostCategory, PostStatus

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\nEinwilligung Patientin K.\ntrailer\n%%EOF\n"


def body(world: World, **values: Any) -> dict[str, Any]:
    return {
        "clinic_id": str(world.clinic_a.id),
        "subject_label": "Patient M., Orthopädie",
        "subject_kind": "patient",
        "legal_basis": "dsgvo_art9_2a",
        "channel_ids": [],
        "categories": ["patient_story"],
        "valid_from": utc_now().isoformat(),
        "valid_until": (utc_now() + timedelta(days=365)).isoformat(),
    } | values


async def draft(database: Database, world: World, **values: Any) -> Post:
    async with database.session_scope() as session:
        post = Post(
            organization_id=world.org.id, clinic_id=world.clinic_a.id, title="Geschichte",
            category=PostCategory.patient_story, base_text="Danke!",
            created_by_id=world.user(Role.editor).id,
        )  # fmt: skip
        for key, value in values.items():
            setattr(post, key, value)
        session.add(post)
    return post


class TestCreate:
    async def test_privacy_officer_creates_and_it_is_audited(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        response = await client.post(
            "/api/v1/consents", json=body(world, signer="Mutter (Sorgeberechtigte)"),
            headers=await login_as(client, world, OFFICER),
        )  # fmt: skip

        assert response.status_code == 201, response.text
        read = response.json()
        assert read["status"] == "valid"
        assert read["signer"] == "Mutter (Sorgeberechtigte)"
        assert read["document"] is None
        assert "consent.created" in await audit_actions(database)

    async def test_bad_input_answers_422_and_writes_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        headers = await login_as(client, world, OFFICER)
        cases = [
            body(world, valid_until=(utc_now() - timedelta(days=1)).isoformat()),
            body(world, subject_kind="employee"),
            body(world, legal_basis="hipaa_164_508", valid_until=None),
            body(world, channel_ids=["00000000-0000-0000-0000-000000000001"]),
            body(world, clinic_id=str(world.other_clinic.id)),
            body(world, subject_label=""),
        ]
        for case in cases:
            response = await client.post("/api/v1/consents", json=case, headers=headers)
            assert_problem(response, 422)
        assert await count(database, Consent) == 0

    async def test_editor_and_moderator_may_not_create(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        for email in (EDITOR, MODERATOR):
            response = await client.post(
                "/api/v1/consents", json=body(world), headers=await login_as(client, world, email)
            )
            assert_problem(response, 403)
        assert await count(database, Consent) == 0


class TestRead:
    async def test_status_filters(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        now = utc_now()
        valid = await make_consent(database, world, valid_until=now + timedelta(days=90))
        expiring = await make_consent(database, world, valid_until=now + timedelta(days=5))
        expired = await make_consent(database, world, valid_until=now - timedelta(days=1))
        withdrawn = await make_consent(database, world, withdrawn_at=now)
        headers = await login_as(client, world, OFFICER)

        for state, consent in [
            ("valid", valid), ("expiring", expiring), ("expired", expired),
            ("withdrawn", withdrawn),
        ]:  # fmt: skip
            response = await client.get(f"/api/v1/consents?status={state}", headers=headers)
            assert [c["id"] for c in response.json()["items"]] == [str(consent.id)], state
        everything = await client.get("/api/v1/consents", headers=headers)
        assert len(everything.json()["items"]) == 4

    async def test_other_organization_sees_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        headers = await login_as(client, world, OTHER_ADMIN)

        assert (await client.get("/api/v1/consents", headers=headers)).json()["items"] == []
        assert_problem(await client.get(f"/api/v1/consents/{consent.id}", headers=headers), 404)
        assert_problem(await withdraw(client, headers, consent), 404)

    async def test_editor_gets_the_reduced_view_only(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world, signer="Vater", document_reference="A-1")
        headers = await login_as(client, world, EDITOR)

        listed = await client.get("/api/v1/consents/summaries", headers=headers)
        one = await client.get(f"/api/v1/consents/summaries/{consent.id}", headers=headers)

        assert listed.status_code == 200
        [item] = listed.json()["items"]
        assert item == one.json()
        assert item["subject_label"] == "Patientin K., Kardiologie"
        assert not {"signer", "document_reference", "document", "legal_basis"} & set(item)
        assert_problem(await client.get(f"/api/v1/consents/{consent.id}", headers=headers), 403)

    async def test_moderator_sees_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        await make_consent(database, world)
        headers = await login_as(client, world, MODERATOR)

        assert_problem(await client.get("/api/v1/consents", headers=headers), 403)
        assert_problem(await client.get("/api/v1/consents/summaries", headers=headers), 403)


class TestUpdate:
    async def test_update_validates_the_merged_record(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        headers = await login_as(client, world, OFFICER)
        url = f"/api/v1/consents/{consent.id}"

        bad = await client.patch(
            url, json={"valid_until": (utc_now() - timedelta(days=90)).isoformat()},
            headers=headers,
        )  # fmt: skip
        good = await client.patch(url, json={"subject_label": "Patientin K."}, headers=headers)

        assert assert_problem(bad, 422)["errors"][0]["field"] == "body.valid_until"
        assert good.status_code == 200, good.text
        assert good.json()["subject_label"] == "Patientin K."
        assert good.json()["valid_until"] is None

    async def test_withdrawn_consent_is_final(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        headers = await login_as(client, world, OFFICER)
        await withdraw(client, headers, consent)

        patch = await client.patch(
            f"/api/v1/consents/{consent.id}", json={"subject_label": "X"}, headers=headers
        )
        again = await withdraw(client, headers, consent)

        assert_problem(patch, 409)
        assert_problem(again, 409)

    async def test_delete_only_unused_records(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        used, unused = await make_consent(database, world), await make_consent(database, world)
        post = await draft(database, world)
        async with database.session_scope() as session:
            session.add(PostConsent(post_id=post.id, consent_id=used.id))
        headers = await login_as(client, world, ADMIN)

        assert_problem(await client.delete(f"/api/v1/consents/{used.id}", headers=headers), 409)
        gone = await client.delete(f"/api/v1/consents/{unused.id}", headers=headers)

        assert gone.status_code == 204
        assert await count(database, Consent) == 1


class TestDocument:
    async def test_pdf_is_encrypted_at_rest_and_round_trips(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        headers = await login_as(client, world, OFFICER)
        url = f"/api/v1/consents/{consent.id}/document"

        put = await client.put(
            url, files={"file": ("scan.pdf", PDF, "text/plain")}, headers=headers
        )

        assert put.status_code == 200, put.text
        assert put.json()["document"]["content_type"] == "application/pdf"
        async with database.session_scope() as session:
            [stored] = (await session.execute(select(ConsentDocument))).scalars()
        assert b"Einwilligung" not in stored.sealed
        assert PDF not in stored.sealed
        got = await client.get(url, headers=headers)
        assert got.status_code == 200
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment")
        actions = await audit_actions(database)
        assert "consent.document_uploaded" in actions
        assert "consent.document_downloaded" in actions

    async def test_png_scan_is_re_encoded(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
        headers = await login_as(client, world, OFFICER)

        put = await client.put(
            f"/api/v1/consents/{consent.id}/document",
            files={"file": ("scan", buffer.getvalue(), "application/pdf")}, headers=headers,
        )  # fmt: skip

        assert put.json()["document"]["content_type"] == "image/png"
        assert put.json()["document"]["filename"] == "scan.png"

    async def test_other_content_is_refused(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        headers = await login_as(client, world, OFFICER)
        for name, data in [("x.pdf", b"<html><script>alert(1)</script>"), ("y.pdf", b"%PDF-1.4")]:
            response = await client.put(
                f"/api/v1/consents/{consent.id}/document",
                files={"file": (name, data, "application/pdf")}, headers=headers,
            )  # fmt: skip
            assert_problem(response, 422)
        assert await count(database, ConsentDocument) == 0

    async def test_only_privacy_officers_download(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        url = f"/api/v1/consents/{consent.id}/document"
        await client.put(
            url, files={"file": ("a.pdf", PDF, "application/pdf")},
            headers=await login_as(client, world, OFFICER),
        )  # fmt: skip

        editor = await client.get(url, headers=await login_as(client, world, EDITOR))
        other = await client.get(url, headers=await login_as(client, world, OTHER_ADMIN))
        upload = await client.put(
            url, files={"file": ("b.pdf", PDF, "application/pdf")},
            headers=await login_as(client, world, EDITOR),
        )  # fmt: skip

        assert_problem(editor, 403)
        assert_problem(other, 404)
        assert_problem(upload, 403)


class TestPostLinks:
    async def test_editor_links_consents_and_an_approved_post_goes_back_to_review(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        post = await draft(database, world, status=PostStatus.approved, approved_hash="")
        async with database.session_scope() as session:
            fresh = await session.get(Post, post.id)
            assert fresh is not None
            fresh.approved_hash = fresh.content_hash
        headers = await login_as(client, world, EDITOR)

        response = await client.put(
            f"/api/v1/posts/{post.id}/consents",
            json={"consent_ids": [str(consent.id)]}, headers=headers,
        )  # fmt: skip

        assert response.status_code == 200, response.text
        assert response.json()["consent_ids"] == [str(consent.id)]
        assert response.json()["status"] == "in_review"
        assert response.json()["approval_current"] is False
        read = await client.get(f"/api/v1/posts/{post.id}", headers=headers)
        assert read.json()["consent_ids"] == [str(consent.id)]

    async def test_consents_of_another_clinic_or_ended_ones_are_refused(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        elsewhere = await make_consent(database, world, clinic=world.clinic_b)
        ended = await make_consent(database, world, withdrawn_at=utc_now(), ended_at=utc_now())
        post = await draft(database, world)
        headers = await login_as(client, world, EDITOR)

        response = await client.put(
            f"/api/v1/posts/{post.id}/consents",
            json={"consent_ids": [str(elsewhere.id), str(ended.id)]}, headers=headers,
        )  # fmt: skip

        problem = assert_problem(response, 422)
        assert [e["type"] for e in problem["errors"]] == ["not_found", "consent_ended"]
        assert await count(database, PostConsent) == 0

    async def test_privacy_officer_cannot_link(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)
        post = await draft(database, world)

        response = await client.put(
            f"/api/v1/posts/{post.id}/consents", json={"consent_ids": [str(consent.id)]},
            headers=await login_as(client, world, OFFICER),
        )  # fmt: skip

        assert_problem(response, 403)
