"""API clients and their bearer tokens: created by administrators (back office or the CLI),
the secret shown once and only its SHA-256 kept, scoped to push kinds and pull topics,
expiring, revocable."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.api import ApiClient, ApiToken, TokenState
from models.base import utcnow
from services import audit
from services.api.feed import TOPICS
from services.imports import KINDS

# A recognisable prefix (secret scanners and people tell the token from other secrets), then
# 256 random bits.
TOKEN_PREFIX = "zpapi_"
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 365
# How often a token's last use is written: enough for the back office, not a write per call.
TOUCH_SECONDS = 60


class ClientRefused(ValueError):
    """The client or token cannot be created as asked; the message says why."""


def known_scopes() -> list[str]:
    """Every scope there is: `KIND:write` per import kind (push), `TOPIC:read` per feed topic (pull)."""
    return [f"{kind}:write" for kind in KINDS] + [f"{topic}:read" for topic in TOPICS]


def push_scope(kind: str) -> str:
    return f"{kind}:write"


def pull_scope(topic: str) -> str:
    return f"{topic}:read"


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _checked_scopes(scopes) -> str:
    wanted = list(dict.fromkeys(s.strip() for s in scopes if s and s.strip()))
    if not wanted:
        raise ClientRefused(_l("Give the token at least one scope."))
    unknown = [s for s in wanted if s not in known_scopes()]
    if unknown:
        raise ClientRefused(_l("Unknown scope %(scope)s; one of: %(scopes)s.", scope=unknown[0],
                               scopes=", ".join(known_scopes())))
    return " ".join(wanted)


def _checked_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ClientRefused(_l("A token is valid for 1 to %(days)s days.", days=MAX_DAYS))
    return days


def create_client(name: str, scopes, days: int = DEFAULT_DAYS, *, actor=None) -> tuple[ApiClient, str]:
    """A new client with its first token; (client, the token's secret). The caller commits and
    shows the secret once."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ClientRefused(_l("A client's name has 1 to 100 characters."))
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise ClientRefused(_l("A client named %(name)s exists already.", name=name))
    _checked_scopes(scopes), _checked_days(days)  # refused before anything is added
    client = ApiClient(name=name, active=True)
    db.session.add(client)
    db.session.flush()
    audit.record("api_client_created", client, actor=actor, details={"name": name})
    _token, secret = issue_token(client, scopes, days, actor=actor)
    return client, secret


def issue_token(client: ApiClient, scopes, days: int = DEFAULT_DAYS, *, actor=None) -> tuple[ApiToken, str]:
    """A new token of the client (another system, or rotating the old one); (token, secret)."""
    scope_text, days = _checked_scopes(scopes), _checked_days(days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(client=client, token_hash=token_hash(secret), scopes=scope_text,
                     created_at=utcnow(), expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_issued", token, actor=actor, details={"client": client.name, "scopes": scope_text,
                                                                  "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke(token: ApiToken, *, actor=None) -> bool:
    """Revoke the token (at once, for every process); False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("api_token_revoked", token, actor=actor, details={"client": token.client.name})
    return True


def client_named(name: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.name == name))


@dataclass
class Authentication:
    token: ApiToken | None
    refusal: str | None  # why the token opens nothing: unknown, revoked, expired, inactive

    @property
    def client(self) -> ApiClient | None:
        return self.token.client if self.token is not None else None


def authenticate(secret: str) -> Authentication:
    """The token this secret is, and whether it opens the API (one indexed query)."""
    row = db.session.execute(select(ApiToken, ApiClient).join(ApiClient)
                             .where(ApiToken.token_hash == token_hash(secret))).first()
    if row is None:
        return Authentication(None, "unknown")
    token, client = row
    state = token.state()
    if state != TokenState.ACTIVE:
        return Authentication(token, state.value)
    if not client.active:
        return Authentication(token, "inactive")
    return Authentication(token, None)


def touch(token: ApiToken) -> None:
    """Note the token's use, at most once a minute (the caller commits)."""
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        token.last_used_at = now
