"""The back office's form for a new API client: its name, the first token's scopes and validity."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from services.api import clients


class ApiClientForm(FlaskForm):
    name = StringField(_l("Name of the system (e.g. CRM, billing)"), validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(_l("What its token may do (KIND:write pushes a kind, TOPIC:read pulls a topic)"),
                                 validators=[DataRequired(_l("Choose at least one scope."))])
    days = IntegerField(_l("Days the token is valid"), default=clients.DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(1, clients.MAX_DAYS)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whatever kinds the import and topics the feed have now.
        self.scopes.choices = [(scope, scope) for scope in clients.known_scopes()]
