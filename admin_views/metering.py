"""Supply points, meters, readings, products, price lists and contracts."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import or_, select
from wtforms.validators import ValidationError

from admin_views.base import ReadOnlyModelView, StaffModelView, stored_upload
from admin_views.pickers import pickers
from extensions import db
from forms.metering import meter_exchange_form_for
from models.contracts import Contract
from models.metering import Meter, MeterReading, Register, SupplyPoint, SupplyPointState
from models.price_lists import PriceItem, PriceList, Product
from models.users import StaffRole
from services.messaging import notices
from services.metering import readings

TECHNICAL = (StaffRole.TECHNICIAN, StaffRole.CLERK)
BILLING = (StaffRole.BILLING,)


class SupplyPointView(StaffModelView):
    roles = TECHNICAL + BILLING
    column_list = ("identifier", "customer", "commodity", "city", "distribution_tariff", "product", "state",
                   "self_readings_allowed")
    column_searchable_list = ("identifier", "city", "street")
    column_filters = ("commodity", "state", "self_readings_allowed", "distribution_tariff")
    form_excluded_columns = StaffModelView.form_excluded_columns + ("meters", "contracts")
    form_ajax_refs = pickers(SupplyPoint, "customer")
    form_widget_args = {"identifier": {"data-identifier": "supply-point"}}

    form_args = {"self_readings_allowed": {"description": _l(
                     "A new supply point of a V.I.P. customer always starts with self-readings allowed; "
                     "untick it later to refuse them.")}}

    def on_model_change(self, form, model, is_created):
        if is_created and SupplyPoint.self_readings_by_default(model.customer):
            model.self_readings_allowed = True  # V.I.P. customers read their own meters by default
        super().on_model_change(form, model, is_created)

    def deactivate(self, model) -> bool:
        """A supply point with history is no longer supplied; its history stays."""
        model.state = SupplyPointState.INACTIVE
        return True

    @property
    def extra_js(self):
        # Checks the EAN / EIC as it is typed (static/admin/identifiers.js).
        return [url_for("static", filename="admin/identifiers.js")]


def _removal_allowed(form, field):
    """The same rule as the exchange desk (Meter.removal_refusal), for a date typed in the form."""
    if field.data is None:
        return
    meter = form._obj if form._obj is not None else Meter(installed_on=form.installed_on.data)
    refusal = meter.removal_refusal(field.data)
    if refusal:
        raise ValidationError(refusal)


class MeterView(StaffModelView):
    roles = TECHNICAL
    form_args = {"removed_on": {"validators": [_removal_allowed]}}
    column_list = ("serial_number", "supply_point", "installed_on", "removed_on", "final_value")
    column_searchable_list = ("serial_number",)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("registers",)
    form_ajax_refs = pickers(Meter, "supply_point")
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-exchange", ".exchange_view", title=_l("Record a meter exchange"))]

    @expose("/exchange/", methods=("GET", "POST"))
    def exchange_view(self):
        """The old meter's final readings, the new meter and its first readings, in one step."""
        meter = db.session.get(Meter, request.args.get("id", type=int) or 0) or abort(404)
        form = meter_exchange_form_for(meter)
        if meter.removed_on is not None:
            flash(_("This meter was already removed on %(date)s.", date=meter.removed_on.isoformat()), "error")
        elif form.validate_on_submit():
            finals = {int(k): v for k, v in form.values("final_").items()}
            refusal = meter.removal_refusal(form.removed_on.data)
            if refusal:
                form.removed_on.errors.append(refusal)
            else:
                try:
                    new = readings.exchange_meter(meter, form.removed_on.data, finals, form.serial_number.data.strip(),
                                                  form.values("initial_"), current_user._get_current_object())
                except readings.ReadingRefused as refused:
                    for name, message in refused.errors.items():
                        form[name].errors.append(message)
                else:
                    db.session.commit()
                    flash(_("Meter %(old)s is replaced by %(new)s.", old=meter.serial_number, new=new.serial_number),
                          "success")
                    return redirect(url_for(".index_view"))
        return self.render("admin/meter_exchange.html", meter=meter, form=form)


class RegisterView(ReadOnlyModelView):
    # A register is part of its meter: the meter view's roles.
    roles = MeterView.roles


class MeterReadingView(StaffModelView):
    roles = TECHNICAL
    can_delete = False
    column_list = ("read_on", "supply_point", "register", "value", "kind", "reason", "state", "rejection_reason")
    column_filters = ("state", "kind", "read_on")
    column_default_sort = ("read_on", True)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("photo",)
    form_ajax_refs = pickers(MeterReading, "register", "supply_point", "submitted_by")


class ProductView(StaffModelView):
    roles = BILLING
    column_list = ("code", "name", "commodity")


class PriceListView(StaffModelView):
    roles = BILLING
    column_list = ("name", "commodity", "product", "distribution_tariff", "segment", "valid_from", "valid_to")
    column_filters = ("commodity", "segment", "valid_from")
    column_default_sort = ("valid_from", True)
    inline_models = ((PriceItem, {"form_columns": ("id", "component", "unit", "price_without_vat", "vat_rate")}),)
    form_excluded_columns = StaffModelView.form_excluded_columns + ("pdf", "announced_at")
    form_extra_fields = {"upload": FileField(_l("The price list as a PDF"))}

    def on_model_change(self, form, model, is_created):
        """Price lists of one product and segment may not overlap in validity."""
        stored = stored_upload(form.upload, required=False)
        if stored is not None:
            model.pdf = stored
        if model.product_id or model.product:
            product_id = model.product.id if model.product else model.product_id
            far = model.valid_to
            with db.session.no_autoflush:  # a new price list is in the session already: not a clash with itself
                clash = db.session.scalar(
                    select(PriceList.id).where(
                        PriceList.product_id == product_id, PriceList.segment == model.segment,
                        PriceList.id != (model.id or 0),
                        or_(PriceList.valid_to.is_(None), PriceList.valid_to >= model.valid_from),
                        *([PriceList.valid_from <= far] if far else []),
                    ).limit(1)
                )
            if clash:
                raise ValidationError(_("Another price list of this product and segment is valid in this period."))
        super().on_model_change(form, model, is_created)
        # Published once it has its PDF: its customers are told (once) in the same transaction.
        notices.announce_price_list(model)


class ContractView(StaffModelView):
    roles = BILLING + TECHNICAL
    column_list = ("number", "customer", "product", "valid_from", "valid_to")
    column_searchable_list = ("number",)
    column_filters = ("valid_from", "valid_to")
    form_excluded_columns = StaffModelView.form_excluded_columns + ("signed_document",)
    form_ajax_refs = pickers(Contract, "customer", "supply_points")


def register(admin, db_):
    category = _l("Supply")
    admin.add_view(SupplyPointView(SupplyPoint, name=_l("Supply points"), endpoint="bo_supply_points", url="supply-points",
                                   category=category))
    admin.add_view(MeterView(Meter, name=_l("Meters"), endpoint="bo_meters", url="meters", category=category))
    admin.add_view(RegisterView(Register, name=_l("Registers"), endpoint="bo_registers", url="registers", category=category))
    admin.add_view(MeterReadingView(MeterReading, name=_l("Meter readings"), endpoint="bo_readings", url="readings",
                                    category=category))
    admin.add_view(ContractView(Contract, name=_l("Contracts"), endpoint="bo_contracts", url="contracts", category=category))
    admin.add_view(ProductView(Product, name=_l("Products"), endpoint="bo_products", url="products", category=_l("Prices")))
    admin.add_view(PriceListView(PriceList, name=_l("Price lists"), endpoint="bo_price_lists", url="price-lists",
                                 category=_l("Prices")))
