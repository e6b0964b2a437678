"""Documents to download: what the user may see (public, all customers, its segment),
valid today, newest first, with search; public ones also without signing in."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from sqlalchemy import func, or_, select

from extensions import db
from models.documents import Document, DocumentVisibility
from models.users import Module
from services.access import visible, visible_or_404
from web.downloads import send_stored_file
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("documents", __name__, url_prefix="/documents", module=Module.DOCUMENTS)
LIMIT = 200


def _search(query, text: str):
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Document.title).like(pattern), func.lower(Document.description).like(pattern)))
    return query.order_by(Document.valid_from.desc(), Document.id.desc()).limit(LIMIT)


@bp.route("/")
def index():
    text = (request.args.get("q") or "").strip()[:100]
    documents = db.session.scalars(_search(visible(Document), text)).all()
    return render_template("documents/index.html", documents=documents, q=text, public=False)


@bp.route("/<int:document_id>/file")
def download(document_id):
    return send_stored_file(visible_or_404(Document, document_id).file)


def _public():
    return select(Document).where(Document.visibility == DocumentVisibility.PUBLIC, Document.valid_on(date.today()))


@bp.public_route("/public")
def public_index():
    text = (request.args.get("q") or "").strip()[:100]
    return render_template("documents/index.html", documents=db.session.scalars(_search(_public(), text)).all(),
                           q=text, public=True)


@bp.public_route("/public/<int:document_id>/file")
def public_download(document_id):
    document = db.session.scalars(_public().where(Document.id == document_id)).first()
    if document is None:
        abort(404)
    return send_stored_file(document.file)
