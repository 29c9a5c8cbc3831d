"""Prometheus metrics shared by every service (one process-wide registry, as prometheus_client wants)."""

from prometheus_client import Counter, Gauge, Histogram

http_requests = Counter("cii_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
http_latency = Histogram("cii_http_request_seconds", "HTTP request latency", ["service", "route"])
messages = Counter("cii_messages_total", "Events handled, by outcome", ["service", "type", "outcome"])
handler_latency = Histogram("cii_handler_seconds", "Time to handle one record", ["service", "topic"])
handler_retries = Counter("cii_handler_retries_total", "Handler retries", ["service", "kind"])
dead_letters = Counter("cii_dead_letters_total", "Records sent to the dead-letter topic", ["service", "topic"])
outbox_published = Counter("cii_outbox_published_total", "Events published by the outbox relay", ["service"])
consumer_lag = Gauge("cii_consumer_lag", "Records behind the end of the partition", ["service", "topic", "partition"])
