"""Messages people read: Chinese by default, English when the request asks for it (`Accept-Language: en`).

Source texts are English with `{name}` placeholders, written in the code as `t("Plan {code} does not exist.",
code=code)`; `app/locale/zh/LC_MESSAGES/messages.po` (the catalogue, kept in git) holds their Chinese. The
catalogue is read and compiled in memory at import: no build step, no generated file. `N_("…")` marks a text
for the catalogue where it is defined (class attributes, tables) and `t(text)` translates it where it is used.

`make messages` extracts every `t(...)`/`N_(...)` text from app/ into the catalogue (new entries have an empty
msgstr until someone writes the Chinese; tests/core/test_i18n.py fails until then).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from app.core.asgi import HttpMiddleware

DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")  # en is the source language: it needs no catalogue
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compile(locale: str) -> NullTranslations:
    with catalogue_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog)  # fuzzy entries are left out: they fall back to English
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


_TRANSLATIONS: dict[str, NullTranslations] = {"zh": _compile("zh"), "en": NullTranslations()}


def current_locale() -> str:
    return _current.get()


def t(msgid: str, **params: object) -> str:
    """`msgid` in the current locale, with `params` filled into its `{name}` placeholders."""
    text = _TRANSLATIONS[_current.get()].gettext(msgid)
    return text.format(**params) if params else text


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark `msgid` for the catalogue without translating it now; translate it with `t(msgid)` when used."""
    return msgid


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block in `locale` (the command line, tests, the 500 handler outside the middleware)."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


_LANGUAGE_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+)\s*)?$")


def negotiate_locale(accept_language: str | None) -> str:
    """The locale for an Accept-Language value: `en` when English is the client's best acceptable language
    (`en`, `en-US`, `fr, en;q=0.5`), otherwise Chinese (absent, `zh-CN`, `*`, `de`, garbage)."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for part in (accept_language or "").split(",")[:20]:
        match = _LANGUAGE_RANGE.match(part)
        if match is None:
            continue
        try:
            q = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        primary = match.group(1).split("-")[0].lower()
        locale = primary if primary in LOCALES else (DEFAULT_LOCALE if primary == "*" else None)
        if locale is not None and 0 < q <= 1 and q > best_q:
            best, best_q = locale, q
    return best


class LocaleMiddleware(HttpMiddleware):
    """Pure ASGI: set the request's locale from Accept-Language and say it in Content-Language."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        locale = negotiate_locale(Headers(scope=scope).get("accept-language"))

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", []))
                headers = MutableHeaders(scope=message)
                if "content-language" not in headers:
                    headers["Content-Language"] = locale
                headers.add_vary_header("Accept-Language")
            await send(message)

        token = _current.set(locale)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _current.reset(token)
