"""Languages: Swedish at the root, the others under a prefix (/en/sok?…).

The language is part of the address so that a shared or printed link opens in
the language it was made in. Every page route is registered twice by
``routes.localized``; ``url_for`` adds the current language by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, g, request, url_for
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import BaseConverter

if TYPE_CHECKING:
    from babel.support import NullTranslations
    from jinja2.runtime import Context

DEFAULT = "sv"
# Each language named in itself, as people look for their own.
LANGUAGES = {"sv": "Svenska", "en": "English", "fi": "Suomi", "ar": "العربية", "so": "Soomaali"}
RIGHT_TO_LEFT = {"ar"}


class LanguageConverter(BaseConverter):
    regex = "(?:" + "|".join(code for code in LANGUAGES if code != DEFAULT) + ")"


def current() -> str:
    return cast(str, g.get("lang", DEFAULT))


def language_links() -> list[dict[str, str | bool]]:
    """The current page in every language, with the same filters: for the switcher and hreflang."""
    endpoint, rule = request.endpoint, request.url_rule
    query = request.query_string.decode("utf-8", "replace")
    links: list[dict[str, str | bool]] = []
    for code, name in LANGUAGES.items():
        lang = None if code == DEFAULT else code
        if endpoint and rule is not None and "GET" in (rule.methods or ()):
            arguments = {k: v for k, v in (request.view_args or {}).items() if k != "lang"}
            url = url_for(endpoint, lang=lang, v=(), **arguments) + (f"?{query}" if query else "")
        else:
            url = url_for("site.start", lang=lang)
        links.append({"code": code, "name": name, "url": url, "current": code == current()})
    return links


def page_gettext(translations: NullTranslations) -> dict[str, Callable[..., str]]:
    """Jinja's new-style ``gettext`` and ``ngettext`` over one page's translations.

    flask-babel's own look up the request, the domain and the locale for every string; a search page
    has dozens, and that was a tenth of its rendering. Same behaviour: escaped, then formatted."""

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text = translations.ugettext(message)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter

    @app.url_value_preprocessor
    def take_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values:
            values.pop("lang", None)

    @app.before_request
    def remember_language() -> None:
        # From the path, so that even a page that does not exist answers in the visitor's language.
        prefix = request.path.split("/")[1] if request.path.count("/") >= 1 else ""
        g.lang = prefix if prefix in LANGUAGES and prefix != DEFAULT else DEFAULT

    @app.url_defaults
    def keep_language(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and current() != DEFAULT and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current()

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {
            "lang": current(),
            "text_direction": "rtl" if current() in RIGHT_TO_LEFT else "ltr",
            "language_links": language_links,
            **page_gettext(get_translations()),
        }
