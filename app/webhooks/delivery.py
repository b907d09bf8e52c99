"""Delivery of outbox events to webhook subscribers (being built: see the subscriptions of app/webhooks)."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def fan_out(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    return 0


async def deliver_due(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    return 0
