"""One JSON object per line, with the trace id, for every logger of the process.

python-json-logger does the formatting (a maintained formatter that keeps every `extra` field, such as
FastStream's topic and message id). Libraries that install their own handlers (FastStream's coloured
text, uvicorn's) are rerouted to the root handler: `configure_logging` strips the handlers that exist,
and the broker is given a plain logger of ours (`broker_logger`) instead of building its own.
"""

import logging
import sys
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# FastStream's broker writes here (KafkaBroker(logger=...)); it propagates to the root handler.
BROKER_LOGGER = "faststream.cii"
QUIET_LOGGERS = ("aiokafka", "kafka", "pymongo")


class JsonFormatter(_JsonFormatter):
    def __init__(self, service: str) -> None:
        super().__init__(rename_fields={"levelname": "level", "name": "logger"},
                         fmt="%(levelname)s %(name)s %(message)s", json_ensure_ascii=False)
        self._service = service

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat()
        log_data["service"] = self._service
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            log_data["trace_id"] = format(context.trace_id, "032x")
            log_data["span_id"] = format(context.span_id, "016x")


def broker_logger() -> logging.Logger:
    logger = logging.getLogger(BROKER_LOGGER)
    logger.propagate = True
    return logger


def route_every_logger_to_root() -> None:
    """Loggers that brought their own handler (FastStream's, uvicorn's) write through the root one instead."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger) and logger is not logging.getLogger():
            logger.handlers[:] = []
            logger.propagate = True


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("cii.uncaught").critical("uncaught exception", exc_info=(kind, value, tb))


def configure_logging(service: str, level: str = "INFO") -> None:
    # Imported for the side effect: FastStream creates its loggers (with handlers) at import.
    import faststream._internal.logger.logging  # noqa: F401

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    route_every_logger_to_root()
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings.warn would print plain text on stderr
    sys.excepthook = _log_uncaught
