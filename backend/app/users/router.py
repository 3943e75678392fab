from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import AuthServiceDep, UsersManage
from app.auth.permissions import ROLE_LABELS, ROLE_PERMISSIONS, Role
from app.auth.subject import CurrentUser
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.users.schemas import (
    Me,
    MeUpdate,
    PasswordChange,
    PasswordLink,
    RoleAssignmentCreate,
    RoleAssignmentPage,
    RoleAssignmentRead,
    RoleList,
    RoleRead,
    UserCreate,
    UserCreated,
    UserPage,
    UserRead,
    UserUpdate,
)
from app.users.service import user_service

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
me_router = APIRouter(prefix="/me", tags=["me"], responses={401: Unauthorized.doc()})
router = APIRouter(prefix="/users", tags=["users"], responses=AUTH_ERRORS)
assignments_router = APIRouter(
    prefix="/role-assignments", tags=["role-assignments"], responses=AUTH_ERRORS
)
roles_router = APIRouter(prefix="/roles", tags=["roles"], responses={401: Unauthorized.doc()})


@me_router.get("", response_model=Me)
async def get_me(subject: CurrentUser, session: DbSession) -> Me:
    """The signed-in user, their role assignments and effective permissions per clinic."""
    return await user_service.me(session, subject)


@me_router.patch("", response_model=Me, responses={422: Unprocessable.doc()})
async def update_me(body: MeUpdate, subject: CurrentUser, session: DbSession) -> Me:
    """Change one's own display name or language."""
    return await user_service.update_me(session, subject, body)


@me_router.post(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses={422: Unprocessable.doc()}
)
async def change_password(
    body: PasswordChange, subject: CurrentUser, session: DbSession, auth: AuthServiceDep
) -> Response:
    """Change one's password; every other session of the user ends."""
    await user_service.change_password(
        session, auth, subject, body.current_password, body.new_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@roles_router.get("", response_model=RoleList)
async def list_roles(subject: CurrentUser) -> RoleList:
    """Every role with its labels and permissions (the role × permission table)."""
    return RoleList(
        items=[
            RoleRead(
                role=role,
                label_de=ROLE_LABELS[role][0],
                label_en=ROLE_LABELS[role][1],
                permissions=sorted(ROLE_PERMISSIONS[role]),
            )
            for role in Role
        ]
    )


@router.get("", response_model=UserPage, responses={422: Unprocessable.doc()})
async def list_users(
    subject: UsersManage,
    session: DbSession,
    page: Pagination,
    q: Annotated[str | None, Query(max_length=100, description="Search name or e-mail.")] = None,
    is_active: bool | None = None,
) -> UserPage:
    """Users of the organization, by e-mail address. Requires `users.manage`."""
    rows, cursor = await user_service.search(session, subject, page, q=q, is_active=is_active)
    return UserPage(items=[UserRead.model_validate(u) for u in rows], next_cursor=cursor)


@router.post(
    "",
    response_model=UserCreated,
    status_code=status.HTTP_201_CREATED,
    responses={409: Conflict.doc(), 422: Unprocessable.doc()},
)
async def create_user(
    body: UserCreate, subject: UsersManage, session: DbSession, auth: AuthServiceDep
) -> UserCreated:
    """Create a user without roles. The answer carries a one-time link for setting the password,
    shown only this once."""
    user, link = await user_service.create(session, auth, subject, body)
    return UserCreated(**UserRead.model_validate(user).model_dump(), password_setup=link)


@router.get("/{user_id}", response_model=UserRead, responses={404: NotFound.doc()})
async def get_user(user_id: uuid.UUID, subject: UsersManage, session: DbSession) -> UserRead:
    return UserRead.model_validate(await user_service.get(session, subject, user_id))


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    responses={404: NotFound.doc(), 409: Conflict.doc(), 422: Unprocessable.doc()},
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    subject: UsersManage,
    session: DbSession,
    auth: AuthServiceDep,
) -> UserRead:
    """Change name or language, or deactivate (`is_active: false` ends all sessions) and
    reactivate. The last active administrator cannot be deactivated."""
    user = await user_service.get(session, subject, user_id)
    return UserRead.model_validate(await user_service.update(session, auth, subject, user, body))


@router.post(
    "/{user_id}/password-reset",
    response_model=PasswordLink,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def reset_user_password(
    user_id: uuid.UUID, subject: UsersManage, session: DbSession, auth: AuthServiceDep
) -> PasswordLink:
    """Create a one-time password link for the user (shown once) and end their sessions."""
    user = await user_service.get(session, subject, user_id)
    return await user_service.trigger_password_reset(session, auth, subject, user)


@assignments_router.get("", response_model=RoleAssignmentPage, responses={422: Unprocessable.doc()})
async def list_role_assignments(
    subject: UsersManage, session: DbSession, page: Pagination, user_id: uuid.UUID | None = None
) -> RoleAssignmentPage:
    items, cursor = await user_service.list_assignments(session, subject, page, user_id=user_id)
    return RoleAssignmentPage(items=items, next_cursor=cursor)


@assignments_router.post(
    "",
    response_model=RoleAssignmentRead,
    status_code=status.HTTP_201_CREATED,
    responses={404: NotFound.doc(), 409: Conflict.doc(), 422: Unprocessable.doc()},
)
async def create_role_assignment(
    body: RoleAssignmentCreate, subject: UsersManage, session: DbSession, auth: AuthServiceDep
) -> RoleAssignmentRead:
    """Give a user a role for the organization, a region or one clinic. Ends the user's
    sessions so the new rights apply from the next sign-in."""
    assignment = await user_service.assign_role(session, auth, subject, body)
    [described] = await user_service.describe_assignments(session, [assignment])
    return described


@assignments_router.delete(
    "/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def delete_role_assignment(
    assignment_id: uuid.UUID, subject: UsersManage, session: DbSession, auth: AuthServiceDep
) -> Response:
    """Remove a role assignment. The last organization administrator cannot be removed."""
    await user_service.remove_assignment(session, auth, subject, assignment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
