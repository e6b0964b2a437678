"""payments reversed (never edited nor deleted), the "to decide" queue holding the rests of
customers' payments beside unmatched bank transactions, and refund orders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_STATES = "state IN ('open', 'assigned', 'returned')"
NEW_STATES = "state IN ('open', 'assigned', 'returned', 'refunded', 'credit', 'withdrawn')"


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reversed_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reversed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reversal_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(op.f('fk_payments_reversed_by_id_staff_users'), 'staff_users',
                                    ['reversed_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_payments_reversed_has_reason'),
                                         'reversed_at IS NULL OR reversal_reason IS NOT NULL')

    with op.batch_alter_table('unmatched_bank_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.alter_column('reference', existing_type=sa.String(length=100), nullable=True)
        batch_op.create_foreign_key(op.f('fk_unmatched_bank_transactions_customer_id_customers'), 'customers',
                                    ['customer_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_unmatched_bank_transactions_customer_id'), ['customer_id'])
        batch_op.drop_constraint(op.f('ck_unmatched_bank_transactions_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_unmatched_bank_transactions_state'), NEW_STATES)
        batch_op.create_check_constraint(op.f('ck_unmatched_bank_transactions_rest_has_payment'),
                                         'customer_id IS NULL OR payment_id IS NOT NULL')
        batch_op.create_check_constraint(op.f('ck_unmatched_bank_transactions_transaction_has_reference'),
                                         'customer_id IS NOT NULL OR reference IS NOT NULL')

    op.create_table(
        'refund_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('queue_item_id', sa.Integer(), nullable=False),
        sa.Column('amount', models.base.Money(precision=12, scale=2), nullable=False),
        sa.Column('bank_account', sa.String(length=40), nullable=False),
        sa.Column('ordered_on', sa.Date(), nullable=False),
        sa.Column('ordered_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_refund_orders_amount_positive')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_refund_orders_customer_id_customers')),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refund_orders_payment_id_payments')),
        sa.ForeignKeyConstraint(['queue_item_id'], ['unmatched_bank_transactions.id'],
                                name=op.f('fk_refund_orders_queue_item_id_unmatched_bank_transactions')),
        sa.ForeignKeyConstraint(['ordered_by_id'], ['staff_users.id'],
                                name=op.f('fk_refund_orders_ordered_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_orders')),
        sa.UniqueConstraint('queue_item_id', name=op.f('uq_refund_orders_queue_item_id')),
    )
    op.create_index(op.f('ix_refund_orders_customer_id'), 'refund_orders', ['customer_id'])
    op.create_index(op.f('ix_refund_orders_payment_id'), 'refund_orders', ['payment_id'])


def downgrade():
    op.drop_index(op.f('ix_refund_orders_payment_id'), table_name='refund_orders')
    op.drop_index(op.f('ix_refund_orders_customer_id'), table_name='refund_orders')
    op.drop_table('refund_orders')
    op.execute("DELETE FROM unmatched_bank_transactions WHERE customer_id IS NOT NULL")
    with op.batch_alter_table('unmatched_bank_transactions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_unmatched_bank_transactions_transaction_has_reference'), type_='check')
        batch_op.drop_constraint(op.f('ck_unmatched_bank_transactions_rest_has_payment'), type_='check')
        batch_op.drop_constraint(op.f('ck_unmatched_bank_transactions_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_unmatched_bank_transactions_state'), OLD_STATES)
        batch_op.drop_index(batch_op.f('ix_unmatched_bank_transactions_customer_id'))
        batch_op.drop_constraint(op.f('fk_unmatched_bank_transactions_customer_id_customers'), type_='foreignkey')
        batch_op.alter_column('reference', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column('customer_id')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payments_reversed_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('fk_payments_reversed_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('reversal_reason')
        batch_op.drop_column('reversed_by_id')
        batch_op.drop_column('reversed_at')
