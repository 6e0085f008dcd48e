"""Reading a page's form as a browser would send it, for tests that fill in forms."""

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormFields(HTMLParser):
    """What a browser sends for a POST form of a page, untouched: the pre-filled answers."""

    def __init__(self, action: str | None = None):
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self._in_post_form = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._in_post_form = attributes.get("method") == "post" and attributes.get("action") == self.action
        elif self._in_post_form and tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append((attributes["name"], attributes.get("value") or ""))
        elif self._in_post_form and tag == "textarea":
            self._textarea = attributes["name"]
            self.fields.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_post_form = False


def prefilled(client, path: str, action: str | None = None) -> MultiDict:
    """The fields of the page's POST form as a browser sends them: the one sent to ``action``, or by
    default the one without an action (sent to the page itself). A page's other forms are not sent with it."""
    parser = _FormFields(action)
    parser.feed(client.get(path).get_data(as_text=True))
    return MultiDict([(name, value.removeprefix("\n")) for name, value in parser.fields])
