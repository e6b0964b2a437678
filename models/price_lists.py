"""Products and their price lists with price items."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, UTCDateTime, ValidityMixin, check_in, validity_check
from models.customers import Segment
from models.metering import Commodity


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint(check_in("commodity", Commodity), name="commodity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    commodity: Mapped[str] = mapped_column(String(16), info={"enum": Commodity})

    def __str__(self) -> str:
        return self.name


class PriceList(ValidityMixin, TimestampMixin, db.Model):
    __tablename__ = "price_lists"
    __table_args__ = (
        CheckConstraint(check_in("commodity", Commodity), name="commodity"),
        CheckConstraint(check_in("segment", Segment), name="segment"),
        validity_check(),
        Index("ix_price_lists_product_validity", "product_id", "valid_from"),
        Index("uq_price_lists_code", "code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The billing system's key of the price list (imports upsert by it); None when made here.
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    commodity: Mapped[str] = mapped_column(String(16), info={"enum": Commodity})
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    distribution_tariff: Mapped[str | None] = mapped_column(String(10))
    segment: Mapped[str] = mapped_column(String(16), info={"enum": Segment}, default=Segment.HOUSEHOLD)
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # When the customers were told of it (services.messaging.notices): once, however often it is saved.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product = relationship("Product")
    pdf = relationship("StoredFile")
    items: Mapped[list[PriceItem]] = relationship(back_populates="price_list", cascade="all, delete-orphan",
                                                    order_by="PriceItem.id")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def portal_scope(cls, query, scope):
        """Price lists are published per segment: a customer sees its segment's."""
        return query.where(cls.segment == scope.segment)


class PriceItem(db.Model):
    __tablename__ = "price_items"
    __table_args__ = (CheckConstraint("vat_rate >= 0", name="vat_rate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))  # Kč/MWh, Kč/měsíc
    price_without_vat: Mapped[Decimal] = mapped_column(Numeric(12, 4, asdecimal=True))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2, asdecimal=True), default=Decimal("21"))

    price_list: Mapped[PriceList] = relationship(back_populates="items")

    @property
    def price_with_vat(self) -> Decimal:
        price = Decimal(str(self.price_without_vat))
        return (price * (1 + Decimal(str(self.vat_rate)) / 100)).quantize(Decimal("0.01"))

    def __str__(self) -> str:
        return self.component
