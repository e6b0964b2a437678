"""the back office's queue of incoming bank transactions that matched no invoice or advance

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 05:50:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unmatched_bank_transactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=100), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('amount', models.base.Money(precision=12, scale=2), nullable=False),
        sa.Column('variable_symbol', sa.String(length=10), nullable=True),
        sa.Column('counter_account', sa.String(length=50), nullable=True),
        sa.Column('counter_name', sa.String(length=140), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('return_reason', sa.String(length=500), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('open', 'assigned', 'returned')",
                           name=op.f('ck_unmatched_bank_transactions_state')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_unmatched_bank_transactions_amount_positive')),
        sa.CheckConstraint("state <> 'assigned' OR payment_id IS NOT NULL",
                           name=op.f('ck_unmatched_bank_transactions_assigned_has_payment')),
        sa.CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL",
                           name=op.f('ck_unmatched_bank_transactions_returned_has_reason')),
        sa.CheckConstraint("(state = 'open') = (resolved_at IS NULL)",
                           name=op.f('ck_unmatched_bank_transactions_resolved_when_closed')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['staff_users.id'],
                                name=op.f('fk_unmatched_bank_transactions_resolved_by_id_staff_users')),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id'],
                                name=op.f('fk_unmatched_bank_transactions_payment_id_payments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unmatched_bank_transactions')),
    )
    op.create_index('uq_unmatched_bank_transactions_reference', 'unmatched_bank_transactions', ['reference'],
                    unique=True)
    op.create_index('ix_unmatched_bank_transactions_state_received', 'unmatched_bank_transactions',
                    ['state', 'received_on'])


def downgrade():
    op.drop_index('ix_unmatched_bank_transactions_state_received', table_name='unmatched_bank_transactions')
    op.drop_index('uq_unmatched_bank_transactions_reference', table_name='unmatched_bank_transactions')
    op.drop_table('unmatched_bank_transactions')
