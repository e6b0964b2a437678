"""Delegation picks the least loaded present member of the team."""
from datetime import timedelta

from extensions import db
from factories import make_staff
from models.base import utcnow
from models.tickets import TaskTopic
from models.users import Team
from services.tickets import routing


def test_least_loaded_present_member_gets_the_work(app):
    busy, free, away = make_staff("clerk"), make_staff("clerk"), make_staff("clerk", absent=True)
    team = Team(name="Podpora", is_default=True, members=[busy, free, away])
    db.session.add(team)
    db.session.commit()
    due = utcnow() + timedelta(days=2)
    first = routing.delegate("a", TaskTopic.CHANGE_REQUEST, 1, due)
    assert first.assignee in (busy, free)
    second = routing.delegate("b", TaskTopic.CHANGE_REQUEST, 2, due)
    assert {first.assignee, second.assignee} == {busy, free}  # fair: one each
    assert away not in (first.assignee, second.assignee)


def test_without_a_team_nothing_is_lost(app):
    assert routing.delegate("a", TaskTopic.CHANGE_REQUEST, 1, utcnow()) is None
