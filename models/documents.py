"""Documents to download: forms and templates, with their visibility and versions."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, ValidityMixin, check_in, utcnow, validity_check
from models.customers import Segment


class DocumentVisibility(enum.StrEnum):
    PUBLIC = "public"  # also without sign-in
    CUSTOMERS = "customers"  # every signed-in customer
    SEGMENT = "segment"  # customers of one segment
    CUSTOMER = "customer"  # one customer's own (e.g. the monthly billing information), made by the portal


class DocumentCategory(db.Model):
    __tablename__ = "document_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class Document(ValidityMixin, TimestampMixin, db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(check_in("visibility", DocumentVisibility), name="visibility"),
        CheckConstraint(f"segment IS NULL OR {check_in('segment', Segment)}", name="segment"),
        CheckConstraint("visibility != 'segment' OR segment IS NOT NULL", name="segment_given"),
        CheckConstraint("(visibility = 'customer') = (customer_id IS NOT NULL)", name="customer_given"),
        validity_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("document_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), info={"enum": DocumentVisibility}, default=DocumentVisibility.CUSTOMERS)
    segment: Mapped[str | None] = mapped_column(String(16), info={"enum": Segment})
    valid_from: Mapped[date] = mapped_column(Date, default=date.today)  # ValidityMixin's, with a default
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    # A customer's own document: whose, and of which supply point (a limited user sees only theirs).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    supply_point_id: Mapped[int | None] = mapped_column(ForeignKey("supply_points.id", ondelete="CASCADE"))

    category = relationship("DocumentCategory")
    file = relationship("StoredFile")
    versions: Mapped[list[DocumentVersion]] = relationship(back_populates="document", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def portal_scope(cls, query, scope):
        """Shared documents by visibility and segment; a customer's own only to its users, and to a
        user limited to some supply points only those of theirs (or of the whole customer)."""
        own = (cls.visibility == DocumentVisibility.CUSTOMER) & (cls.customer_id == scope.customer_id)
        if scope.supply_point_ids is not None:
            own &= cls.supply_point_id.is_(None) | cls.supply_point_id.in_(scope.supply_point_ids)
        return query.where(
            or_(cls.visibility.in_([DocumentVisibility.PUBLIC, DocumentVisibility.CUSTOMERS]),
                (cls.visibility == DocumentVisibility.SEGMENT) & (cls.segment == scope.segment), own),
            cls.valid_on(date.today()),
        )


class DocumentVersion(db.Model):
    """An earlier file of a document, kept when staff replace it."""

    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    file = relationship("StoredFile")

    def __str__(self) -> str:
        return f"{self.document} ({self.replaced_at:%Y-%m-%d})"
