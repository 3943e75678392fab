"""Imports every table so SQLModel.metadata (and Alembic) knows them all."""

from app.audit.models import AuditEvent
from app.auth.models import LoginThrottle, PasswordResetToken, RefreshToken, UserSession
from app.kit.models import metadata
from app.tenancy.models import Clinic, Organization, Region
from app.users.models import RoleAssignment, User
from app.vault.models import DataKey
from app.worker.models import Job

__all__ = [
    "AuditEvent", "Clinic", "DataKey", "Job", "LoginThrottle", "Organization", "PasswordResetToken",
    "RefreshToken", "Region", "RoleAssignment", "User", "UserSession", "metadata",
]  # fmt: skip
