"""The two kinds of account: portal users (who act for a customer) and staff users
(who work in the back office). They live in separate tables so that neither can
ever sign in where the other belongs."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    exists,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models.base import TimestampMixin, UTCDateTime, check_in

# scrypt is Werkzeug's default and a memory-hard modern hash.
PASSWORD_METHOD = "scrypt"


class Module(enum.StrEnum):
    """Portal modules a user can be given a right to."""

    ACCOUNT = "account"
    INVOICES = "invoices"
    SUPPLY_POINTS = "supply_points"
    READINGS = "readings"
    REQUESTS = "requests"
    MESSAGES = "messages"
    DOCUMENTS = "documents"
    CHANGES = "changes"
    PRICE_LISTS = "price_lists"
    SERVICE = "service"


class DocumentNotices(enum.StrEnum):
    """Whether a person is e-mailed when a new invoice, advance schedule, price list or message
    arrives (services.messaging.notices)."""

    EVERY = "every"
    NONE = "none"


class PortalUserState(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    LOCKED = "locked"
    DISABLED = "disabled"


class PasswordMixin:
    password_hash: Mapped[str | None] = mapped_column(String(255))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class SignInGuardMixin:
    """What the sign-in counts on the server for each account: wrong passwords and wrong
    second-factor codes in a row, and the rest that follows too many of either. Kept in the
    account's row, so neither a new address nor a replayed cookie starts the count afresh."""

    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    failed_codes: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_resting(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class PortalUserRight(db.Model):
    __tablename__ = "portal_user_rights"
    __table_args__ = (CheckConstraint(check_in("module", Module), name="module"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("portal_users.id", ondelete="CASCADE"), primary_key=True
    )
    module: Mapped[str] = mapped_column(String(32), primary_key=True)


# A user limited to some supply points sees only those; no rows means "all of the customer's".
portal_user_supply_points = Table(
    "portal_user_supply_points",
    db.metadata,
    Column("user_id", ForeignKey("portal_users.id", ondelete="CASCADE"), primary_key=True),
    Column("supply_point_id", ForeignKey("supply_points.id", ondelete="CASCADE"), primary_key=True),
)


class PortalUser(PasswordMixin, SignInGuardMixin, UserMixin, TimestampMixin, db.Model):
    """One person's access to one customer, with its rights.

    A person who acts for several customers signs in once: the access rows of the
    other customers point at the row that signs in (`login_id`) and have no
    password of their own; the person switches between them."""

    __tablename__ = "portal_users"
    __table_args__ = (
        CheckConstraint(check_in("state", PortalUserState), name="state"),
        CheckConstraint(check_in("document_notices", DocumentNotices), name="document_notices"),
        # The e-mail signs in: unique among the rows that sign in, and once per customer.
        Index("uq_portal_users_login_email", "email", unique=True,
              sqlite_where=text("login_id IS NULL"), postgresql_where=text("login_id IS NULL")),
        UniqueConstraint("customer_id", "email", name="uq_portal_users_customer_email"),
        # The back office's home counts the users waiting for first credentials.
        Index("ix_portal_users_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), info={"check": "email"})
    login_id: Mapped[int | None] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), info={"enum": PortalUserState}, default=PortalUserState.INVITED)
    # The account's administrator may manage the other users of the customer.
    is_account_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in: set once the person has confirmed a code from the app.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's choice in the profile (kept on the row that signs in; it holds for every
    # customer the person acts for): e-mails about new documents, and the invoice PDF in them.
    document_notices: Mapped[str] = mapped_column(String(8), info={"enum": DocumentNotices}, default=DocumentNotices.EVERY)
    invoice_pdf_by_email: Mapped[bool] = mapped_column(Boolean, default=False)

    customer = relationship("Customer", backref="portal_users")
    login = relationship("PortalUser", remote_side=[id], backref="linked_accesses")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(cascade="all, delete-orphan")
    rights: Mapped[list[PortalUserRight]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    supply_points = relationship("SupplyPoint", secondary=portal_user_supply_points)

    def get_id(self) -> str:
        return f"portal:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.state == PortalUserState.ACTIVE

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def modules(self) -> set[str]:
        if self.is_account_admin:
            return {m.value for m in Module}
        return {r.module for r in self.rights}

    def may(self, module: str) -> bool:
        return module in self.modules

    @classmethod
    def has_right(cls, module: str) -> ColumnElement[bool]:
        """SQL: the user has the module's right, as `may` says (for work on many users at once)."""
        return or_(cls.is_account_admin.is_(True),
                   exists().where(PortalUserRight.user_id == cls.id, PortalUserRight.module == module))

    @classmethod
    def portal_scope(cls, query, scope):
        """The account administrator sees the users of the account (and manages them); any other
        user only their own access."""
        query = query.where(cls.customer_id == scope.customer_id)
        return query if scope.account_admin else query.where(cls.id == scope.user_id)

    def grant(self, *modules: str) -> None:
        have = {r.module for r in self.rights}
        self.rights.extend(PortalUserRight(module=m) for m in modules if m not in have)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class RecoveryCode(db.Model):
    """A one-time code that replaces the authenticator app once; stored as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffRole(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    CLERK = "clerk"
    BILLING = "billing"
    TECHNICIAN = "technician"


team_members = Table(
    "team_members",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_user_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(TimestampMixin, db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), info={"check": "email"})
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[StaffUser]] = relationship(
        secondary=team_members, back_populates="teams"
    )

    def __str__(self) -> str:
        return self.name


class StaffUser(PasswordMixin, SignInGuardMixin, UserMixin, TimestampMixin, db.Model):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(check_in("role", StaffRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), info={"check": "email"}, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), info={"enum": StaffRole}, default=StaffRole.CLERK)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Absent staff are skipped when work is delegated.
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))

    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members")

    def get_id(self) -> str:
        return f"staff:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role == StaffRole.ADMINISTRATOR or self.role in roles

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    def __str__(self) -> str:
        return self.name


