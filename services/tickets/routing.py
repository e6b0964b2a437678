"""Delegation: work goes to a team and, within it, to the least loaded person who is
not absent (ties go to whoever has waited longest for new work)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from extensions import db
from models.tickets import Task, TaskState, TaskTopic
from models.users import StaffUser, Team, team_members


def default_team() -> Team | None:
    return db.session.scalars(select(Team).where(Team.is_default.is_(True)).order_by(Team.id).limit(1)).first()


def least_loaded_member(team: Team) -> StaffUser | None:
    open_tasks = (select(func.count(Task.id)).where(Task.assignee_id == StaffUser.id, Task.state == TaskState.OPEN)
                  .correlate(StaffUser).scalar_subquery())
    last_assigned = (select(func.max(Task.created_at)).where(Task.assignee_id == StaffUser.id)
                     .correlate(StaffUser).scalar_subquery())
    return db.session.scalars(
        select(StaffUser)
        .join(team_members, team_members.c.staff_user_id == StaffUser.id)
        .where(team_members.c.team_id == team.id, StaffUser.active.is_(True), StaffUser.absent.is_(False))
        .order_by(open_tasks, last_assigned.is_not(None), last_assigned, StaffUser.id)
        .limit(1)
    ).first()


def delegate(title: str, topic: TaskTopic, topic_id: int, due_at: datetime, team: Team | None = None) -> Task | None:
    """Create the task for the team (the default team when none is given) and its
    least loaded present member; without any team the work stays unassigned."""
    team = team or default_team()
    if team is None:
        return None
    task = Task(title=title, topic=topic, topic_id=topic_id, team=team, assignee=least_loaded_member(team),
                due_at=due_at)
    db.session.add(task)
    db.session.flush()
    return task
