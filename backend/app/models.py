"""Imports every table so SQLModel.metadata (and Alembic) knows them all."""

from app.approvals.models import ApprovalDecision, ApprovalPolicy, ApprovalRequest
from app.audit.models import AuditEvent
from app.auth.models import LoginThrottle, PasswordResetToken, RefreshToken, UserSession
from app.channels.models import Channel, ChannelConnection
from app.compliance.models import ComplianceOverride
from app.consent.models import Consent, ConsentDocument, ConsentTakedown, PostConsent
from app.crisis.models import CrisisMode
from app.inbox.models import (
    InboxMessage,
    InboxNote,
    InboxThread,
    InboxThreadTag,
    SavedReply,
    SlaPolicy,
)
from app.kit.models import metadata
from app.notifications.models import Notification
from app.posts.models import MediaAsset, Post, PostMedia, PostVariant
from app.publishing.models import Publication, PublishingThrottle
from app.tenancy.models import Clinic, Organization, Region
from app.users.models import RoleAssignment, User
from app.vault.models import DataKey
from app.webhooks.models import WebhookEvent
from app.worker.models import Job

__all__ = [
    "ApprovalDecision",
    "ApprovalPolicy",
    "ApprovalRequest",
    "AuditEvent",
    "Channel",
    "ChannelConnection",
    "Clinic",
    "ComplianceOverride",
    "Consent",
    "ConsentDocument",
    "ConsentTakedown",
    "CrisisMode",
    "DataKey",
    "InboxMessage",
    "InboxNote",
    "InboxThread",
    "InboxThreadTag",
    "Job",
    "LoginThrottle",
    "MediaAsset",
    "Notification",
    "Organization",
    "PasswordResetToken",
    "Post",
    "PostConsent",
    "PostMedia",
    "PostVariant",
    "Publication",
    "PublishingThrottle",
    "RefreshToken",
    "Region",
    "RoleAssignment",
    "SavedReply",
    "SlaPolicy",
    "User",
    "UserSession",
    "WebhookEvent",
    "metadata",
]  # fmt: skip
