"""schemathesis against the served OpenAPI document: every operation, with a token of every
scope, on a real server on a loopback port with the demo data (each of its readings, change
requests, tickets, receipts and users in the feed, so that the pulls serve real records). No
server error, and no response outside the document (status, media type, headers, body schema);
a request outside the document must be refused. Bounded: a fixed number of examples per
operation (PORTAL_SCHEMATHESIS_EXAMPLES, 25) and a fixed seed (PORTAL_SCHEMATHESIS_SEED), so
that CI is reproducible; another seed explores further.

Not checked: positive_data_acceptance, which expects every request the schema allows to be
accepted, while the import refuses far more than a JSON schema can say (an unknown customer
number, an EAN with a wrong check digit), with 422 as documented."""
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from extensions import db
from helpers import api_token, free_port
from models.changes import ChangeRequest, ChangeState
from models.messaging import MessageEvent
from models.metering import MeterReading, ReadingKind
from models.tickets import Ticket
from models.users import PortalUser
from services.api import clients, feed
from services.demo_data import load_demo_data
from services.imports import KINDS

pytestmark = pytest.mark.schemathesis

EXAMPLES = os.environ.get("PORTAL_SCHEMATHESIS_EXAMPLES", "25")
SEED = os.environ.get("PORTAL_SCHEMATHESIS_SEED", "20261207")
FEED = {feed.SELF_READINGS: select(MeterReading.id).where(MeterReading.kind == ReadingKind.SELF),
        feed.CHANGE_REQUESTS: select(ChangeRequest.id).where(ChangeRequest.state == ChangeState.APPROVED),
        feed.TICKETS: select(Ticket.id), feed.MESSAGE_RECEIPTS: select(MessageEvent.id),
        feed.PORTAL_USERS: select(PortalUser.id)}


@pytest.fixture
def served(make_app):
    app = make_app(TESTING=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        load_demo_data()
        for topic, ids in FEED.items():
            feed.changed_ids(topic, db.session.scalars(ids))
        db.session.commit()
        token = api_token(*clients.known_scopes(), name="schemathesis")
        db.session.remove()
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()


def test_every_operation_answers_as_documented_under_schemathesis(served, tmp_path):
    app, base, token = served
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert executable, "schemathesis is installed by requirements-dev.txt"
    command = [executable, "run", f"{base}/api/v1/openapi.json", "--header", f"Authorization: Bearer {token}",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", EXAMPLES,
               "--seed", SEED, "--workers", "1", "--phases", "examples,coverage,fuzzing", "--no-color",
               "--generation-database", "none", "--request-timeout", "30", "--report-dir", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)  # noqa: S603
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    operations_count = len(KINDS) + len(feed.TOPICS)
    assert f"Selected: {operations_count}/{operations_count}" in output and f"Tested: {operations_count}" in output
    with app.app_context():  # it really called the API: every call is in the audit log
        from models.audit import AuditEntry

        calls = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_request")).all()
        assert len(calls) > 500
        operations = {call.data["operation"] for call in calls}
        assert {f"push_{kind.replace('-', '_')}" for kind in KINDS} <= operations
        assert {f"pull_{topic.replace('-', '_')}" for topic in feed.TOPICS} <= operations
