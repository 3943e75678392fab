from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import col

from app.auth.models import LoginThrottle, PasswordResetToken, RefreshToken, UserSession
from app.kit.time import utc_now
from app.worker import task
from app.worker.runner import TaskContext


@task("auth.purge_expired", every=timedelta(hours=1))
async def purge_expired(ctx: TaskContext) -> None:
    """Delete sessions, refresh tokens, reset links and throttles nobody can use any more."""
    now = utc_now()
    cutoff = now - timedelta(days=1)
    async with ctx.database.session_scope() as session:
        dead = (
            col(UserSession.absolute_expires_at) < cutoff,
            col(UserSession.revoked_at) < cutoff,
        )
        from sqlalchemy import select

        dead_ids = select(col(UserSession.id)).where(or_(*dead))
        await session.execute(
            delete(RefreshToken).where(col(RefreshToken.session_id).in_(dead_ids))
        )
        await session.execute(delete(UserSession).where(or_(*dead)))
        await session.execute(
            delete(PasswordResetToken).where(col(PasswordResetToken.expires_at) < cutoff)
        )
        await session.execute(
            delete(LoginThrottle).where(
                col(LoginThrottle.window_started_at) < cutoff,
                or_(
                    col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < now
                ),
            )
        )
