"""The Kafka broker of a service: safe producer and consumer settings in one place.

Traps avoided here (and checked by `assert_at_least_once`):
- FastStream's ACK_FIRST policy turns on auto-commit (at most once); ACK and REJECT commit even when
  the handler failed. Every subscriber here uses NACK_ON_ERROR: the offset is committed only after the
  handler returned, and the only exception that leaves a handler is a shutdown in the middle of a retry,
  which seeks back so the record is read again.
- aiokafka's producer defaults to acks=1 without idempotence: set acks=all and idempotence.
"""

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.security import BaseSecurity
from prometheus_client import REGISTRY

from ..settings import PlatformSettings
from ..telemetry.logs import broker_logger
from . import producer_fix

producer_fix.apply()

SAFE_ACK_POLICY = AckPolicy.NACK_ON_ERROR


def create_broker(settings: PlatformSettings, **kwargs: Any) -> KafkaBroker:
    ssl_context = settings.kafka_ssl_context()
    if ssl_context is not None:
        kwargs.setdefault("security", BaseSecurity(ssl_context=ssl_context))
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"cii-{settings.service_name}",
        acks="all",
        allow_auto_create_topics=False,
        enable_idempotence=True,
        max_request_size=settings.max_message_bytes + 64_000,
        request_timeout_ms=15_000,
        graceful_timeout=30.0,
        ack_policy=SAFE_ACK_POLICY,
        # Ours, not FastStream's coloured text: every line of a service's log is JSON.
        logger=broker_logger(),
        middlewares=(
            KafkaTelemetryMiddleware(),
            KafkaPrometheusMiddleware(registry=REGISTRY, app_name=f"cii-{settings.service_name}"),
        ),
        **kwargs,
    )


def consumer_options(group_id: str, **overrides: Any) -> dict[str, Any]:
    """Subscriber keyword arguments: one record at a time, committed after it was handled."""
    options: dict[str, Any] = {
        "group_id": group_id,
        "ack_policy": SAFE_ACK_POLICY,
        "auto_offset_reset": "earliest",
        "max_poll_interval_ms": 600_000,
        "session_timeout_ms": 30_000,
        "heartbeat_interval_ms": 3_000,
        "max_workers": 1,
    }
    options.update(overrides)
    return options


class UnsafeSubscriberError(AssertionError):
    pass


def assert_at_least_once(broker: KafkaBroker) -> None:
    """Refuse to start with a subscriber that would commit before (or regardless of) handling."""
    for subscriber in broker.subscribers:
        policy = getattr(subscriber, "ack_policy", None)
        connection_args: dict[str, Any] = getattr(subscriber, "_connection_args", None) or {}
        auto_commit = connection_args.get("enable_auto_commit", True)
        if policy is not SAFE_ACK_POLICY or auto_commit:
            raise UnsafeSubscriberError(
                f"subscriber {subscriber!r} uses ack policy {policy} (auto-commit={auto_commit}); "
                f"only {SAFE_ACK_POLICY} is allowed")
