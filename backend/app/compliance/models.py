from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.kit.models import RecordModel, utc_column


class ComplianceOverride(RecordModel, table=True):
    """A privacy officer's written decision that one ``block`` finding of a post may pass.

    It is bound to the finding's ``fingerprint`` (rule, which text or channel, and the covered
    text itself), not to the post's content hash: unrelated edits keep it, a change of the
    overridden words makes a new finding that needs its own decision. Revoked, never deleted.
    """

    __tablename__ = "compliance_overrides"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    rule: str = Field(max_length=64)
    target: str = Field(max_length=64, description="base, channel:<id>, media:<id> or post")
    fingerprint: str = Field(max_length=64)
    reason: str = Field(max_length=2000)
    content_version: int = Field(description="The post's version when the decision was made.")
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    revoked_at: datetime | None = utc_column(default=None)
    revoked_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
