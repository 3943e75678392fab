"""Roles and what they may do (design.md, SEC-3): the single role × permission table."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    editor = "editor"
    medical_reviewer = "medical_reviewer"
    privacy_officer = "privacy_officer"
    comms_lead = "comms_lead"
    moderator = "moderator"
    analyst = "analyst"


class Permission(StrEnum):
    organization_manage = "organization.manage"
    users_manage = "users.manage"
    audit_read = "audit.read"
    channels_manage = "channels.manage"
    policies_manage = "policies.manage"
    retention_manage = "retention.manage"
    posts_read = "posts.read"
    posts_write = "posts.write"
    posts_schedule = "posts.schedule"
    review_medical = "review.medical"
    review_privacy = "review.privacy"
    review_comms = "review.comms"
    compliance_override = "compliance.override"
    consents_manage = "consents.manage"
    dsar_manage = "dsar.manage"
    crisis_manage = "crisis.manage"
    inbox_read = "inbox.read"
    inbox_work = "inbox.work"
    saved_replies_use = "saved_replies.use"
    saved_replies_manage = "saved_replies.manage"
    kpis_read = "kpis.read"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Everything but overriding a compliance block: that stays with the privacy officer (SEC-4).
    Role.admin: frozenset(Permission) - {P.compliance_override},
    Role.editor: frozenset({P.posts_read, P.posts_write, P.posts_schedule, P.saved_replies_use}),
    Role.medical_reviewer: frozenset({P.posts_read, P.review_medical}),
    Role.privacy_officer: frozenset(
        {
            P.posts_read,
            P.review_privacy,
            P.compliance_override,
            P.consents_manage,
            P.dsar_manage,
            P.audit_read,
            P.inbox_read,
        }
    ),
    # Saved replies are approved wording (holding statements, "no individual advice"): the
    # communications lead (and admins) maintain them; editors and moderators use them.
    Role.comms_lead: frozenset(
        {
            P.posts_read,
            P.review_comms,
            P.crisis_manage,
            P.inbox_read,
            P.kpis_read,
            P.saved_replies_use,
            P.saved_replies_manage,
        }
    ),
    Role.moderator: frozenset({P.inbox_read, P.inbox_work, P.saved_replies_use}),
    Role.analyst: frozenset({P.kpis_read}),
}

ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.admin: ("Administration", "Administrator"),
    Role.editor: ("Redaktion", "Editor"),
    Role.medical_reviewer: ("Medizinische Prüfung", "Medical reviewer"),
    Role.privacy_officer: ("Datenschutz", "Privacy officer"),
    Role.comms_lead: ("Kommunikationsleitung", "Communications lead"),
    Role.moderator: ("Moderation", "Moderator"),
    Role.analyst: ("Analyse", "Analyst"),
}
