"""Two-factor sign-in with TOTP (an authenticator app) and one-time recovery codes."""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app, session

from extensions import db
from models.base import utcnow
from models.users import PortalUser, RecoveryCode
from services.accounts.sign_in import code_failed, may_sign_in

RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=current_app.config["SUPPLIER_NAME"])


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI for an <img> (no inline script or style)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def code_is_valid(secret: str, code: str) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def _hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.replace("-", "").upper().encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(user: PortalUser) -> list[str]:
    """Replace the user's recovery codes; returns the plain codes to show once."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}".upper() for _ in range(RECOVERY_CODES)]
    user.recovery_codes[:] = [RecoveryCode(code_hash=_hash(c)) for c in codes]
    return codes


def use_recovery_code(user: PortalUser, code: str) -> bool:
    wanted = _hash(code.strip())
    for stored in user.recovery_codes:
        if stored.used_at is None and hmac.compare_digest(stored.code_hash, wanted):
            stored.used_at = utcnow()
            return True
    return False


def check_second_factor(user: PortalUser, code: str) -> bool:
    return code_is_valid(user.totp_secret, code) or use_recovery_code(user, code)


# The step between a right password and the code: the (new, signed) session remembers whose
# password was right, for a few minutes. Wrong codes are counted in the account's row
# (services.accounts.sign_in.code_failed), never here: a copy of this cookie must not buy new tries.
SECOND_FACTOR_SECONDS = 300


def _password_fingerprint(user) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def start_pending_sign_in(key: str, user, target: str) -> None:
    session[key] = {"user": user.id, "password": _password_fingerprint(user), "at": int(utcnow().timestamp()),
                    "next": target}


def pending_sign_in_user(key: str, model):
    """The user whose password was right a moment ago, while that sign-in is fresh, the
    password unchanged and the account not resting; else None."""
    pending = session.get(key)
    user = db.session.get(model, pending.get("user")) if isinstance(pending, dict) else None
    if (user is None or not may_sign_in(user) or pending.get("password") != _password_fingerprint(user)
            or utcnow().timestamp() - pending.get("at", 0) > SECOND_FACTOR_SECONDS):
        session.pop(key, None)
        return None
    return user


def count_wrong_code(key: str, user) -> bool:
    """Count a wrong code. False once there were too many: the pending sign-in is given up
    and the password must be entered again after the account's rest."""
    if code_failed(user):
        return True
    session.pop(key, None)
    return False
