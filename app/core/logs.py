"""Logging for the service: one format, and no secret in any line.

The access line is the app's own (app.access: method, path, status, time, request id); uvicorn's access log is off
because it writes the query string, where a client may have put a token. As a last guard every line passes a
filter that masks anything shaped like a bearer token or a webhook signing secret.
"""

import logging
import re

from app.auth.tokens import TOKEN_PREFIX

WEBHOOK_SECRET_PREFIX = "whsec_"
_TOKEN_LIKE = re.compile(rf"{re.escape(TOKEN_PREFIX)}[A-Za-z0-9_\-]+|{WEBHOOK_SECRET_PREFIX}[A-Za-z0-9+/=]+"
                         r"|(?i:bearer)\s+[A-Za-z0-9_\-.=~+/]+")


def _mask(match: re.Match[str]) -> str:
    for prefix in (TOKEN_PREFIX, WEBHOOK_SECRET_PREFIX):
        if match.group().startswith(prefix):
            return prefix + "***"
    return "Bearer ***"


def mask_secrets(text: str) -> str:
    return _TOKEN_LIKE.sub(_mask, text)


class MaskSecrets(logging.Filter):
    """Rewrite a record's message with token-like strings masked (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):  # uvicorn's loggers have their own handlers
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskSecrets) for f in handler.filters):
                handler.addFilter(MaskSecrets())
