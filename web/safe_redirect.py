from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """A `next` target only if it stays on this site (a path, no scheme or host).

    Refused as well: backslashes (some browsers read them as slashes: `/\\evil.example`) and
    control characters — browsers drop tabs and line breaks inside a URL (`/<TAB>/evil.example`
    is `//evil.example` to them), and a line break cannot go into the Location header at all."""
    if not target:
        return None
    target = target.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
