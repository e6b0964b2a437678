"""Per-user limits on what a customer can send (SECURITY.md #23): readings, tickets and
requests, replies, change requests and invitations. A person never comes near them; a
script or a broken client cannot flood the back office, the database or the outbox.

Only what was done counts (the view redirected after storing it), so a mistyped form that
comes back with its errors costs nothing. Each action's limit is shared by all its routes
(a ticket is a ticket under /requests and /service) and is read from ACTION_LIMITS at
request time, so operators tune it in the configuration."""
from __future__ import annotations

import functools
import itertools

from flask import current_app
from flask_login import current_user

from config import Defaults
from extensions import limiter

DONE = (301, 302, 303)
_views = itertools.count(1)


def _user_key() -> str:
    # The user's id, not get_id(): that carries the session version, and signing out
    # everywhere (one click) would start a fresh limit.
    return f"portal-user:{current_user.id}"


def _limit_of(action: str) -> str:
    # An operator's ACTION_LIMITS may name only the actions it changes.
    return current_app.config.get("ACTION_LIMITS", {}).get(action) or Defaults.ACTION_LIMITS[action]


def action_limit(action: str):
    """Decorate a portal view (below its route) that does `action` on POST."""
    limit = limiter.shared_limit(
        lambda: _limit_of(action), scope=f"action:{action}", key_func=_user_key,
        methods=["POST"], exempt_when=lambda: not current_user.is_authenticated,
        deduct_when=lambda response: response.status_code in DONE)

    def decorate(view):
        # Flask-Limiter files limits under the view's qualified name; a view function registered
        # on two blueprints (the tickets views serve /requests and /service) shares one, so each
        # request would count once per blueprint. A wrapper with its own name counts once.
        @functools.wraps(view)
        def limited(*args, **kwargs):
            return view(*args, **kwargs)

        limited.__qualname__ = f"{view.__qualname__}#{next(_views)}"
        return limit(limited)

    return decorate
