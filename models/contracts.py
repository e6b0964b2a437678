"""Contracts: which product a customer buys for which supply points, and when."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import TimestampMixin, ValidityMixin, validity_check
from models.scoping import CustomerRecord

contract_supply_points = Table(
    "contract_supply_points",
    db.metadata,
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("supply_point_id", ForeignKey("supply_points.id", ondelete="CASCADE"), primary_key=True),
)


class Contract(CustomerRecord, ValidityMixin, TimestampMixin, db.Model):
    __tablename__ = "contracts"
    __table_args__ = (validity_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    signed_document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))

    customer = relationship("Customer", backref="contracts")
    product = relationship("Product")
    supply_points = relationship("SupplyPoint", secondary=contract_supply_points, backref="contracts")
    signed_document = relationship("StoredFile")

    def __str__(self) -> str:
        return self.number

    @classmethod
    def concerns_supply_points(cls, ids):
        return select(contract_supply_points.c.contract_id).where(
            contract_supply_points.c.contract_id == cls.id, contract_supply_points.c.supply_point_id.in_(ids)).exists()
