"""advance amount changes and credit notes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 11:30:29.719656

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advance_schedule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_change_requests_advance_schedule_id'), ['advance_schedule_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_change_requests_advance_schedule_id_advance_schedules'), 'advance_schedules', ['advance_schedule_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancels_invoice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correction_reason', sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoices_cancels_invoice_id'), ['cancels_invoice_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invoices_cancels_invoice_id_invoices'), 'invoices', ['cancels_invoice_id'], ['id'])



def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoices_cancels_invoice_id_invoices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoices_cancels_invoice_id'))
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('cancels_invoice_id')

    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_change_requests_advance_schedule_id_advance_schedules'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_change_requests_advance_schedule_id'))
        batch_op.drop_column('effective_from')
        batch_op.drop_column('advance_schedule_id')

