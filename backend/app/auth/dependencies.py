"""Permission aliases for routes (one place, SEC-3) and the auth service dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth.permissions import Permission
from app.auth.service import AuthService
from app.auth.subject import Authenticator, AuthSubject


def _auth_service(request: Request) -> AuthService:
    service: AuthService = request.app.state.auth_service
    return service


AuthServiceDep = Annotated[AuthService, Depends(_auth_service)]

# User accounts are organization-wide identities: only organization-level admins manage them.
UsersManage = Annotated[
    AuthSubject, Depends(Authenticator(Permission.users_manage, org_level=True))
]
OrganizationManage = Annotated[
    AuthSubject, Depends(Authenticator(Permission.organization_manage, org_level=True))
]
ClinicsManage = Annotated[AuthSubject, Depends(Authenticator(Permission.organization_manage))]
AuditRead = Annotated[AuthSubject, Depends(Authenticator(Permission.audit_read))]
ChannelsManage = Annotated[AuthSubject, Depends(Authenticator(Permission.channels_manage))]
PostsRead = Annotated[AuthSubject, Depends(Authenticator(Permission.posts_read))]
PostsSchedule = Annotated[AuthSubject, Depends(Authenticator(Permission.posts_schedule))]
CrisisManage = Annotated[AuthSubject, Depends(Authenticator(Permission.crisis_manage))]
PostsWrite = Annotated[AuthSubject, Depends(Authenticator(Permission.posts_write))]
ComplianceOverride = Annotated[AuthSubject, Depends(Authenticator(Permission.compliance_override))]
PoliciesManage = Annotated[AuthSubject, Depends(Authenticator(Permission.policies_manage))]
ConsentsManage = Annotated[AuthSubject, Depends(Authenticator(Permission.consents_manage))]
InboxRead = Annotated[AuthSubject, Depends(Authenticator(Permission.inbox_read))]
InboxWork = Annotated[AuthSubject, Depends(Authenticator(Permission.inbox_work))]
SavedRepliesUse = Annotated[AuthSubject, Depends(Authenticator(Permission.saved_replies_use))]
SavedRepliesManage = Annotated[AuthSubject, Depends(Authenticator(Permission.saved_replies_manage))]
