"""FastAPI dependencies: the wired service context, and domain errors turned into problems."""

from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from cii_platform.http import conflict

from ...domain.model import InvalidTransition
from ...service_layer.context import ServiceContext

T = TypeVar("T")


def service_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.measures
    return context


Context = Annotated[ServiceContext, Depends(service_context)]


async def run(step: Awaitable[T]) -> T:
    """A transition the measure's state does not allow answers 409 with the current state."""
    try:
        return await step
    except InvalidTransition as exc:
        raise conflict(str(exc), exc.current_state) from exc
