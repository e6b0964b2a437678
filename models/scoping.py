"""Which records of a customer a portal user sees: the one rule every customer record follows.

A portal user acts for one customer, and an account administrator may limit a colleague to
some of its supply points (services.access.Scope.supply_point_ids). A record is visible when
it belongs to the user's customer and, for a limited user, concerns one of those supply
points. Each model says only how it is tied to supply points (`concerns_supply_points`);
the rest is written here once, so a new model cannot forget the limit: a subclass that does
not say how it is tied to supply points fails at import."""
from __future__ import annotations

from sqlalchemy import ColumnElement, true


class CustomerRecord:
    """Mixin for a model with a `customer_id` that portal users reach through `visible()`."""

    # A record of the whole customer (a message, the customer's own data), not of a supply point:
    # a limited user sees it too. Such models say so instead of writing a rule.
    whole_customer = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.whole_customer and "concerns_supply_points" not in vars(cls) \
                and getattr(cls, "__tablename__", None) is not None \
                and cls.concerns_supply_points.__func__ is CustomerRecord.concerns_supply_points.__func__:
            raise TypeError(f"{cls.__name__} must say how it concerns supply points (concerns_supply_points) "
                            "or declare whole_customer = True")

    @classmethod
    def concerns_supply_points(cls, ids: frozenset[int]) -> ColumnElement[bool]:
        """SQL: the record concerns one of these supply points."""
        return true()

    @classmethod
    def portal_scope(cls, query, scope):
        query = query.where(cls.customer_id == scope.customer_id)
        if scope.supply_point_ids is not None and not cls.whole_customer:
            query = query.where(cls.concerns_supply_points(scope.supply_point_ids))
        return query
