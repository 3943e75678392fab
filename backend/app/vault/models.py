from __future__ import annotations

import uuid

from sqlalchemy import Index, text
from sqlmodel import Field

from app.kit.models import RecordModel


class DataKey(RecordModel, table=True):
    """An organization's data-encryption key (DEK), stored only wrapped by a key-encryption key."""

    __tablename__ = "data_keys"
    __table_args__ = (
        Index(
            "uq_data_keys_active",
            "organization_id",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    kek_id: str = Field(max_length=64)
    wrapped_key: str = Field(max_length=200)
    active: bool = True
