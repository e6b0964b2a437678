"""outbox: the secrets an e-mail carries (masked, erased once sent) and the 'sending' claim

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_values', sa.JSON(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_outgoing_emails_state'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outgoing_emails_state'),
                                         "state IN ('queued', 'sending', 'sent', 'failed')")


def downgrade():
    # A claim in progress goes back to the queue (it is retried once the server answers).
    op.execute("UPDATE outgoing_emails SET state = 'queued' WHERE state = 'sending'")
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outgoing_emails_state'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outgoing_emails_state'),
                                         "state IN ('queued', 'sent', 'failed')")
        batch_op.drop_column('secret_values')
