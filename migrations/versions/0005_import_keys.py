"""the source systems' keys the imports upsert by: payment reference unique, price list code,
advance schedule number

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('uq_payments_reference', 'payments', ['reference'], unique=True)
    op.add_column('price_lists', sa.Column('code', sa.String(length=40), nullable=True))
    op.create_index('uq_price_lists_code', 'price_lists', ['code'], unique=True)
    op.add_column('advance_schedules', sa.Column('number', sa.String(length=20), nullable=True))
    op.create_index('uq_advance_schedules_number', 'advance_schedules', ['number'], unique=True)


def downgrade():
    op.drop_index('uq_advance_schedules_number', table_name='advance_schedules')
    with op.batch_alter_table('advance_schedules') as batch:
        batch.drop_column('number')
    op.drop_index('uq_price_lists_code', table_name='price_lists')
    with op.batch_alter_table('price_lists') as batch:
        batch.drop_column('code')
    op.drop_index('uq_payments_reference', table_name='payments')
