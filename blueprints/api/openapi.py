"""The OpenAPI 3.1 document, generated when the app is made from what the API serves: one push
operation per import kind (its FIELDS as the record's properties), one pull operation per feed
topic (its marshmallow schema), the problem documents, the bearer scheme and the scopes."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from blueprints.api.schemas import ProblemSchema, PushReportSchema, RecordErrorSchema
from web.problems import PROBLEM_JSON

PREFIX = "/api/v1"
CELL = {"type": ["string", "number", "null"]}
PUSH_ERRORS = (400, 401, 403, 409, 413, 415, 422, 429, 500)
PULL_ERRORS = (400, 401, 403, 429, 500)
ERROR_TEXT = {
    400: "The body is not JSON, or a parameter is not as documented.",
    401: "No token, or one that is unknown, revoked, expired or of a switched-off client.",
    403: "The token lacks this operation's scope.",
    409: "Another change got in the way; nothing was written: send the batch again.",
    413: "More records, or more bytes, than one request takes.",
    415: "The body is not application/json.",
    422: "Every record was refused, or one with all_or_nothing, or the body is not as documented; nothing of "
         "a refused record was written. `errors` names each record (its index) and field.",
    429: "The client's rate limit is used up; Retry-After says when to try again.",
    500: "Something went wrong on our side.",
}
DESCRIPTION = """The supplier's systems push what the portal shows and pull what customers submit.

**Authentication**: `Authorization: Bearer <token>`, a token an administrator created (back office →
Administration → API clients, or `flask --app portal api-client create`). Each operation needs its
scope: `KIND:write` to push a kind, `TOPIC:read` to pull a topic.

**Push** (`POST /api/v1/{kind}`): the records of an import kind, each a JSON object with the kind's
fields (as one line of a JSON Lines import file; see docs/import/). Upserted by the source system's
key, with the import's own checks and messages: a refused record writes nothing of itself, and with
`all_or_nothing` a refused record writes nothing at all. `dry_run` checks and counts only.

**Pull** (`GET /api/v1/{topic}?after=N&limit=M`): the changes after change number N, in change-number
order, each with the record as it is now; pass `next_cursor` as `after` for the next page.
A change number is given when its transaction commits, in commit order, so a client that always
passes the last `next_cursor` gets every change exactly once, however many arrive meanwhile
(a record changed again comes again, with a higher number).

**Errors**: RFC 9457 problem details (`application/problem+json`), in English or, with
`Accept-Language: cs`, in Czech.
"""


def build(kinds: dict, topic_pages: dict, limits: dict) -> dict:
    """The document as a dict. `kinds`: name -> import module (FIELDS, KEY, docstring);
    `topic_pages`: name -> (page schema class, record schema class); `limits`: the config's API_*."""
    spec = APISpec(title="Zákaznický portál API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": DESCRIPTION})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A token of an API client (zpapi_…)."})
    spec.components.schema("RecordError", schema=RecordErrorSchema)
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.schema("PushReport", schema=PushReportSchema)
    for name, module in kinds.items():
        _push_operation(spec, name, module, limits)
    for name, (page, record) in topic_pages.items():
        _pull_operation(spec, name, page, record, limits)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    # Extension members of a problem (a refused push carries its report's counts).
    document["components"]["schemas"]["Problem"]["additionalProperties"] = True
    return document


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def _problems(codes) -> dict:
    return {str(code): {"description": ERROR_TEXT[code],
                        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code in codes}


def _push_operation(spec: APISpec, kind: str, module, limits: dict) -> None:
    record_name = f"{_camel(kind)}Record"
    fields = tuple(dict.fromkeys(module.FIELDS))
    key = module.KEY if isinstance(module.KEY, tuple) else (module.KEY,)
    spec.components.schema(record_name, {
        "type": "object",
        "description": f"One record (one row) of {kind}, keyed by {', '.join(key)}. Values as in an import file: "
                       "texts, or numbers (decimal point or comma in a text); other fields are ignored.",
        "properties": dict.fromkeys(fields, CELL),
        "additionalProperties": CELL,
    })
    summary = (module.__doc__ or kind).strip().splitlines()[0]
    spec.path(path=f"{PREFIX}/{kind}", operations={"post": {
        "operationId": f"push_{kind.replace('-', '_')}",
        "tags": ["push"],
        "summary": f"Push {kind}",
        "description": f"{summary}\n\nScope: `{kind}:write`.",
        "security": [{"bearer": [f"{kind}:write"]}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "required": ["records"],
            "properties": {
                # The cap is a 413 (too large), not a 422, so it is said rather than a maxItems.
                "records": {"type": "array", "items": {"$ref": f"#/components/schemas/{record_name}"},
                            "description": f"at most {limits['API_MAX_RECORDS']} records (more: 413)"},
                "dry_run": {"type": "boolean", "default": False, "description": "check and count, write nothing"},
                "all_or_nothing": {"type": "boolean", "default": False,
                                   "description": "write nothing if any record is refused"},
            }}}}},
        "responses": {"200": {"description": "The report: what was created, updated, left unchanged and refused.",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushReport"}}}},
                      **_problems(PUSH_ERRORS)},
    }})


def _pull_operation(spec: APISpec, topic: str, page, record, limits: dict) -> None:
    spec.path(path=f"{PREFIX}/{topic}", operations={"get": {
        "operationId": f"pull_{topic.replace('-', '_')}",
        "tags": ["pull"],
        "summary": f"Pull {topic}",
        "description": f"{(record.__doc__ or '').strip()}\n\nScope: `{topic}:read`.",
        "security": [{"bearer": [f"{topic}:read"]}],
        "parameters": [
            {"name": "after", "in": "query", "required": False, "description": "the last change number you have",
             "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1, "default": 0}},
            {"name": "limit", "in": "query", "required": False, "description": "at most this many changes",
             "schema": {"type": "integer", "minimum": 1, "maximum": limits["API_MAX_PULL"], "default": 100}},
        ],
        "responses": {"200": {"description": "The changes after the cursor, oldest first.",
                              "content": {"application/json": {"schema": page}}},
                      **_problems(PULL_ERRORS)},
    }})


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
