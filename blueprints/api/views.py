"""The operations: push the records of an import kind, pull the changes of a topic after a
cursor. Each reads: check the request, do it through the services, answer (or a problem)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from blueprints.api.auth import problem_type
from blueprints.api.schemas import TOPIC_SCHEMAS
from services.api import feed, push, topics
from web.problems import Problem

PUSH_MEMBERS = ("records", "dry_run", "all_or_nothing")
MAX_CURSOR = 2**63 - 1
DEFAULT_PULL = 100


# --- push -----------------------------------------------------------------------------------

def push_view(kind: str):
    def push_records():
        body = _json_object()
        records, dry_run, all_or_nothing = _push_request(body)
        if len(records) > current_app.config["API_MAX_RECORDS"]:
            raise Problem(413, _l("At most %(count)s records in one request.", count=current_app.config["API_MAX_RECORDS"]))
        try:
            report = push.push(kind, push.check_batch(records), dry_run=dry_run, all_or_nothing=all_or_nothing)
        except push.BatchRefused as refused:
            g.api_outcome = {"refused": len(refused.errors), "written": False}
            raise Problem(422, _l("The records are not JSON objects of texts, numbers and nulls; nothing was written."),
                          type_=problem_type("invalid-records"), errors=refused.errors) from None
        accepted = report.created + report.updated + report.unchanged
        answer = {"kind": kind, "dry_run": dry_run, "written": report.written and accepted > 0, "created": report.created,
                  "updated": report.updated, "unchanged": report.unchanged, "refused": len(report.errors),
                  "errors": [{"record": record, "field": field, "reason": reason}
                             for record, field, reason in push.indexed_errors(report)]}
        g.api_outcome = {k: answer[k] for k in ("created", "updated", "unchanged", "refused", "written", "dry_run")}
        errors = push.indexed_errors(report)
        members = {k: v for k, v in answer.items() if k != "errors"}
        if not report.written and not dry_run and not (all_or_nothing and errors):
            # run_import rolled back because the database refused a record another request wrote meanwhile.
            raise Problem(409, _l("The database refused a record, as when another request writes the same key "
                                  "at the same moment; nothing was written. Send the batch again."),
                          type_=problem_type("conflict"), errors=errors, **members)
        if errors and (all_or_nothing or not accepted):
            detail = (_l("A record was refused; with all_or_nothing nothing was written.") if all_or_nothing
                      else _l("Every record was refused; nothing was written."))
            raise Problem(422, detail, type_=problem_type("invalid-records"), errors=errors, **members)
        return answer

    push_records.__name__ = f"push_{kind.replace('-', '_')}"
    return push_records


def _json_object() -> dict:
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise Problem(415, _l("Send the body as application/json."))
    limit = current_app.config["API_MAX_BODY_BYTES"]
    # Read here, not through request.max_content_length: the portal's NUL check has opened the
    # stream with the app-wide limit already (web/bad_input.py).
    if (request.content_length or 0) > limit:
        raise Problem(413, _l("At most %(size)s bytes in one request.", size=limit))
    data = request.stream.read(limit + 1)  # the app-wide MAX_CONTENT_LENGTH still applies (a 413 too)
    if len(data) > limit:
        raise Problem(413, _l("At most %(size)s bytes in one request.", size=limit))
    try:
        body = json.loads(data.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem(400, _l("The body is not valid JSON (UTF-8).")) from None
    if not isinstance(body, dict):
        raise Problem(422, _l("The body is a JSON object with the records under \u201crecords\u201d."),
                      type_=problem_type("invalid-records"), errors=[(None, "", str(_l("A JSON object is expected.")))])
    return body


def _no_constants(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _push_request(body: dict) -> tuple[list, bool, bool]:
    errors = [(None, name, str(_l("Unknown member; the body has records, dry_run and all_or_nothing.")))
              for name in body if name not in PUSH_MEMBERS]
    if "records" not in body:
        errors.append((None, "records", str(_l("This value is required."))))
    elif not isinstance(body["records"], list):
        errors.append((None, "records", str(_l("A list of records (JSON objects) is expected."))))
    for flag in ("dry_run", "all_or_nothing"):
        if not isinstance(body.get(flag, False), bool):
            errors.append((None, flag, str(_l("true or false."))))
    if errors:
        raise Problem(422, _l("The request is not as documented; nothing was written."),
                      type_=problem_type("invalid-records"), errors=errors)
    return body["records"], body.get("dry_run", False), body.get("all_or_nothing", False)


# --- pull -----------------------------------------------------------------------------------

def change_schema(topic: str) -> type[Schema]:
    """One entry of a pull: the change number, when, the record's id and the record as it is now
    (null when it was deleted since)."""
    return Schema.from_dict({
        "change": fields.Integer(required=True, metadata={"description": "the change number; pass the last one as after"}),
        "changed_at": fields.AwareDateTime(required=True, format="iso"),
        "id": fields.Integer(required=True),
        "record": fields.Nested(TOPIC_SCHEMAS[topic], required=True, allow_none=True),
    }, name=f"{_camel(topic)}Change")


def page_schema(topic: str, change: type[Schema]) -> type[Schema]:
    return Schema.from_dict({
        "topic": fields.String(required=True),
        "changes": fields.List(fields.Nested(change), required=True),
        "next_cursor": fields.Integer(required=True, metadata={"description": "pass as after for the next page"}),
        "has_more": fields.Boolean(required=True, metadata={"description": "more changes wait beyond this page"}),
    }, name=f"{_camel(topic)}Page")


def pull_view(topic: str, schema: type[Schema]):
    def pull_changes():
        after = _whole_number("after", 0, 0, MAX_CURSOR)
        limit = _whole_number("limit", DEFAULT_PULL, 1, current_app.config["API_MAX_PULL"])
        page = feed.read(topic, after, limit)
        records = topics.load(topic, [entry.record_id for entry in page.entries])
        g.api_outcome = {"after": after, "changes": len(page.entries), "next_cursor": page.next_cursor}
        return schema().dump({"topic": topic, "next_cursor": page.next_cursor, "has_more": page.has_more,
                              "changes": [{"change": e.number, "changed_at": e.changed_at, "id": e.record_id,
                                           "record": records.get(e.record_id)} for e in page.entries]})

    pull_changes.__name__ = f"pull_{topic.replace('-', '_')}"
    return pull_changes


def _whole_number(name: str, default: int, lowest: int, highest: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if re.fullmatch(r"\d{1,19}", text) and lowest <= int(text) <= highest:
        return int(text)
    raise Problem(400, _l("The parameter %(name)s is a whole number from %(low)s to %(high)s.", name=name, low=lowest,
                          high=highest), errors=[(None, name, str(_l("Not a whole number in range.")))])


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
