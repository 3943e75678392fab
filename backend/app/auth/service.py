"""Login, refresh rotation with reuse detection, logout, throttling and password resets."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.models import LoginThrottle, PasswordResetToken, RefreshToken, UserSession
from app.auth.passwords import Passwords, check_password_policy
from app.auth.permissions import Role
from app.auth.tokens import create_access_token, hash_secret, new_secret
from app.config import Settings
from app.kit.errors import RateLimited, Unauthorized, field_error
from app.kit.sql import for_update, insert_or_ignore
from app.kit.time import utc_now
from app.users.models import RoleAssignment, User


class LoginFailed(Unauthorized):
    """Wrong credentials; the failure is committed although the request fails."""

    commit_anyway = True

    def __init__(self, delay: float) -> None:
        super().__init__("E-mail address or password is wrong.")
        self.delay = delay


class LoginLocked(RateLimited):
    commit_anyway = True


class SessionEnded(Unauthorized):
    commit_anyway = True


@dataclass
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    session: UserSession


class AuthService:
    def __init__(self, settings: Settings, signing_key: str) -> None:
        self.settings = settings
        self.signing_key = signing_key
        self.passwords = Passwords(settings)

    # Login ---------------------------------------------------------------------------------
    async def login(
        self,
        session: AsyncSession,
        email: str,
        password: str,
        *,
        ip: str | None,
        user_agent: str | None,
    ) -> IssuedTokens:
        email = email.strip().lower()
        now = utc_now()
        keys = [f"account:{hashlib.sha256(email.encode()).hexdigest()}", f"ip:{ip or 'unknown'}"]
        throttles = [await self._throttle(session, key) for key in keys]
        for throttle in throttles:
            if throttle.locked_until and throttle.locked_until > now:
                wait = int((throttle.locked_until - now).total_seconds()) + 1
                await audit_service.record(
                    session, "auth.login_locked", ip=ip,
                    details={"key": throttle.key.split(":")[0]},
                )  # fmt: skip
                raise LoginLocked(self._lock_message(wait), retry_after=wait)

        user = (
            await session.execute(select(User).where(col(User.email) == email))
        ).scalar_one_or_none()
        valid = self.passwords.verify(user.password_hash if user else None, password)
        if not valid or user is None or not user.is_active:
            await self._record_failure(session, throttles, user, ip)
            account, by_ip = throttles
            if (
                account.failures >= self.settings.login_lock_after
                or by_ip.failures >= self.settings.login_ip_lock_after
            ):
                wait = self.settings.login_lock_minutes * 60
                raise LoginLocked(self._lock_message(wait), retry_after=wait)
            raise LoginFailed(self._delay(max(account.failures, by_ip.failures)))

        account = throttles[0]
        account.failures = 0
        account.locked_until = None
        assert user.password_hash is not None
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        user.last_login_at = now
        issued = await self._open_session(session, user, ip=ip, user_agent=user_agent)
        await audit_service.record(
            session, "auth.login", actor_id=user.id, organization_id=user.organization_id,
            target_type="user", target_id=user.id, ip=ip,
            details={"session_id": str(issued.session.id)},
        )  # fmt: skip
        return issued

    def _lock_message(self, wait_seconds: int) -> str:
        minutes = max(1, -(-wait_seconds // 60))
        return (
            "Too many failed sign-in attempts. Sign-in is locked for "
            f"{minutes} minute{'s' if minutes != 1 else ''}; try again later or ask an "
            "administrator to reset your password."
        )

    def _delay(self, failures: int) -> float:
        over = failures - self.settings.login_slowdown_after
        if over < 0:
            return 0.0
        return float(min(self.settings.login_slowdown_max_seconds, 0.25 * 2**over))

    async def _throttle(self, session: AsyncSession, key: str) -> LoginThrottle:
        """The counter row for ``key``, created if missing and locked against concurrent logins."""
        now = utc_now()
        await insert_or_ignore(
            session,
            LoginThrottle,
            ["key"],
            {"id": uuid.uuid4(), "key": key, "failures": 0, "window_started_at": now,
             "created_at": now, "updated_at": now},
        )  # fmt: skip
        statement = select(LoginThrottle).where(col(LoginThrottle.key) == key)
        throttle: LoginThrottle = (
            await session.execute(for_update(session, statement))
        ).scalar_one()
        return throttle

    async def _record_failure(
        self,
        session: AsyncSession,
        throttles: list[LoginThrottle],
        user: User | None,
        ip: str | None,
    ) -> None:
        current = utc_now()
        window = timedelta(minutes=self.settings.login_window_minutes)
        for throttle in throttles:
            if current - throttle.window_started_at > window:
                throttle.failures = 0
                throttle.window_started_at = current
            throttle.failures += 1
            limit = (
                self.settings.login_lock_after
                if throttle.key.startswith("account:")
                else self.settings.login_ip_lock_after
            )
            if throttle.failures >= limit:
                throttle.locked_until = current + timedelta(
                    minutes=self.settings.login_lock_minutes
                )
        await session.flush()
        await audit_service.record(
            session, "auth.login_failed",
            actor_id=None,
            organization_id=user.organization_id if user else None,
            target_type="user" if user else None,
            target_id=user.id if user else None,
            ip=ip,
            details={"reason": "inactive" if user and not user.is_active else "credentials"},
        )  # fmt: skip

    # Sessions ------------------------------------------------------------------------------
    async def _session_limits(
        self, session: AsyncSession, user: User
    ) -> tuple[timedelta, timedelta]:
        roles = set(
            (
                await session.execute(
                    select(col(RoleAssignment.role)).where(col(RoleAssignment.user_id) == user.id)
                )
            ).scalars()
        )
        s = self.settings
        if roles == {Role.moderator}:
            return timedelta(hours=s.moderator_session_idle_hours), timedelta(
                days=s.moderator_session_absolute_days
            )
        return timedelta(minutes=s.session_idle_minutes), timedelta(hours=s.session_absolute_hours)

    async def _open_session(
        self, session: AsyncSession, user: User, *, ip: str | None, user_agent: str | None
    ) -> IssuedTokens:
        now = utc_now()
        idle, absolute = await self._session_limits(session, user)
        user_session = UserSession(
            user_id=user.id,
            last_used_at=now,
            idle_expires_at=now + idle,
            absolute_expires_at=now + absolute,
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
        session.add(user_session)
        await session.flush()
        return await self._issue(session, user_session)

    async def _issue(self, session: AsyncSession, user_session: UserSession) -> IssuedTokens:
        refresh = new_secret()
        session.add(RefreshToken(session_id=user_session.id, token_hash=hash_secret(refresh)))
        lifetime = timedelta(minutes=self.settings.access_token_minutes)
        access = create_access_token(
            key=self.signing_key,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            user_id=user_session.user_id,
            session_id=user_session.id,
            lifetime=lifetime,
        )
        await session.flush()
        return IssuedTokens(access, int(lifetime.total_seconds()), refresh, user_session)

    async def refresh(
        self, session: AsyncSession, refresh_token: str, *, ip: str | None
    ) -> IssuedTokens:
        """Rotate: the token is used up and a new one issued; a reused token ends the session."""
        # Locked, so two concurrent uses of one token cannot both rotate it.
        statement = select(RefreshToken).where(
            col(RefreshToken.token_hash) == hash_secret(refresh_token)
        )
        token = (await session.execute(for_update(session, statement))).scalar_one_or_none()
        if token is None:
            raise Unauthorized("The session has ended. Please sign in again.")
        user_session = await session.get(UserSession, token.session_id)
        assert user_session is not None
        now = utc_now()
        if token.used_at is not None:
            if user_session.revoked_at is None:
                self._revoke(user_session, "refresh_reuse")
                user = await session.get(User, user_session.user_id)
                await audit_service.record(
                    session, "auth.refresh_reused", actor_id=user_session.user_id,
                    organization_id=user.organization_id if user else None,
                    target_type="session", target_id=user_session.id, ip=ip,
                )  # fmt: skip
            raise SessionEnded(
                "This sign-in was ended because an old refresh token was used again. "
                "Please sign in again."
            )
        if user_session.revoked_at is not None:
            raise Unauthorized("The session has ended. Please sign in again.")
        if now >= user_session.absolute_expires_at or now >= user_session.idle_expires_at:
            self._revoke(user_session, "expired")
            raise SessionEnded("The session has expired. Please sign in again.")
        user = await session.get(User, user_session.user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The account is deactivated.")
        token.used_at = now
        idle, _ = await self._session_limits(session, user)
        user_session.last_used_at = now
        user_session.idle_expires_at = min(now + idle, user_session.absolute_expires_at)
        return await self._issue(session, user_session)

    async def logout(
        self, session: AsyncSession, refresh_token: str | None, *, session_id: uuid.UUID | None
    ) -> None:
        """End one session, found by refresh token (cookie or body) or by the access token."""
        if refresh_token is not None:
            token = (
                await session.execute(
                    select(RefreshToken).where(
                        col(RefreshToken.token_hash) == hash_secret(refresh_token)
                    )
                )
            ).scalar_one_or_none()
            session_id = token.session_id if token else session_id
        if session_id is None:
            return
        user_session = await session.get(UserSession, session_id)
        if user_session is None or user_session.revoked_at is not None:
            return
        self._revoke(user_session, "logout")
        user = await session.get(User, user_session.user_id)
        await audit_service.record(
            session, "auth.logout", actor_id=user_session.user_id,
            organization_id=user.organization_id if user else None,
            target_type="session", target_id=user_session.id,
        )  # fmt: skip

    def _revoke(self, user_session: UserSession, reason: str) -> None:
        user_session.revoked_at = utc_now()
        user_session.revoked_reason = reason

    async def revoke_all_sessions(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        reason: str,
        *,
        keep: uuid.UUID | None = None,
    ) -> None:
        statement = (
            update(UserSession)
            .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
            .values(revoked_at=utc_now(), revoked_reason=reason)
        )
        if keep is not None:
            statement = statement.where(col(UserSession.id) != keep)
        await session.execute(statement)

    # Passwords -----------------------------------------------------------------------------
    async def set_password(
        self,
        session: AsyncSession,
        user: User,
        new_password: str,
        *,
        keep_session: uuid.UUID | None,
    ) -> None:
        check_password_policy(new_password, email=user.email)
        user.password_hash = self.passwords.hash(new_password)
        user.password_changed_at = utc_now()
        await self.revoke_all_sessions(session, user.id, "password_changed", keep=keep_session)

    async def create_reset_link(
        self, session: AsyncSession, user: User, *, created_by: uuid.UUID | None
    ) -> tuple[str, PasswordResetToken]:
        await session.execute(
            update(PasswordResetToken)
            .where(
                col(PasswordResetToken.user_id) == user.id,
                col(PasswordResetToken.used_at).is_(None),
            )
            .values(used_at=utc_now())
        )
        secret = new_secret()
        token = PasswordResetToken(
            user_id=user.id,
            token_hash=hash_secret(secret),
            expires_at=utc_now() + timedelta(hours=self.settings.password_reset_hours),
            created_by_id=created_by,
        )
        session.add(token)
        await session.flush()
        return secret, token

    def reset_url(self, secret: str) -> str:
        return f"{self.settings.base_url}/passwort-zuruecksetzen?token={secret}"

    async def reset_password(
        self, session: AsyncSession, secret: str, new_password: str, *, ip: str | None
    ) -> None:
        token = (
            await session.execute(
                select(PasswordResetToken).where(
                    col(PasswordResetToken.token_hash) == hash_secret(secret)
                )
            )
        ).scalar_one_or_none()
        if token is None or token.used_at is not None or token.expires_at <= utc_now():
            raise field_error(
                "body.token",
                "This link is invalid, used or expired. Ask an administrator for a new one.",
            )
        user = await session.get(User, token.user_id)
        if user is None or not user.is_active:
            raise field_error("body.token", "This account is deactivated.")
        await self.set_password(session, user, new_password, keep_session=None)
        token.used_at = utc_now()
        await audit_service.record(
            session, "user.password_reset_completed", actor_id=user.id,
            organization_id=user.organization_id, target_type="user", target_id=user.id, ip=ip,
        )  # fmt: skip
