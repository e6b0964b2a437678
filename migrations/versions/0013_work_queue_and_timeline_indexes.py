"""indexes for the back office's home (work queues counted by their state) and the customer
overview's timeline (each kind of record of one customer, newest first)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_tasks_state_due', 'tasks', ['state', 'due_at']),
    ('ix_meter_readings_state_created', 'meter_readings', ['state', 'created_at']),
    ('ix_portal_users_state', 'portal_users', ['state']),
    ('ix_audit_entries_customer_at', 'audit_entries', ['customer_id', 'at']),
    ('ix_sign_in_sessions_portal_started', 'sign_in_sessions', ['portal_user_id', 'started_at']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
