"""smart-meter interval data (a supply point's day of values packed), the monthly billing
information of remotely read customers, and documents of one customer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interval_days',
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('resolution_minutes', sa.SmallInteger(), nullable=False),
        sa.Column('packed_wh', sa.LargeBinary(), nullable=False),
        sa.Column('total_wh', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('resolution_minutes IN (15, 60)', name=op.f('ck_interval_days_resolution')),
        sa.CheckConstraint('total_wh >= 0', name=op.f('ck_interval_days_total_non_negative')),
        sa.ForeignKeyConstraint(['supply_point_id'], ['supply_points.id'],
                                name=op.f('fk_interval_days_supply_point_id_supply_points'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('supply_point_id', 'day', name=op.f('pk_interval_days')),
    )

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supply_point_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_documents_customer_id_customers'), 'customers',
                                    ['customer_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_documents_supply_point_id_supply_points'), 'supply_points',
                                    ['supply_point_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_documents_customer_id'), ['customer_id'], unique=False)
        batch_op.drop_constraint(op.f('ck_documents_visibility'), type_='check')
        batch_op.create_check_constraint(op.f('ck_documents_visibility'),
                                         "visibility IN ('public', 'customers', 'segment', 'customer')")
        batch_op.create_check_constraint(op.f('ck_documents_customer_given'),
                                         "(visibility = 'customer') = (customer_id IS NOT NULL)")

    op.create_table(
        'billing_information',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('days_with_data', sa.SmallInteger(), nullable=False),
        sa.Column('consumption_wh', sa.BigInteger(), nullable=False),
        sa.Column('estimated_amount', models.base.Money(precision=12, scale=2), nullable=False),
        sa.Column('advances_paid', models.base.Money(precision=12, scale=2), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('consumption_wh >= 0', name=op.f('ck_billing_information_consumption_non_negative')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_billing_information_customer_id_customers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['supply_point_id'], ['supply_points.id'],
                                name=op.f('fk_billing_information_supply_point_id_supply_points'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_billing_information_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_information')),
    )
    op.create_index('ix_billing_information_customer_id', 'billing_information', ['customer_id'])
    op.create_index('uq_billing_information_supply_point_month', 'billing_information',
                    ['supply_point_id', 'month'], unique=True)


def downgrade():
    op.drop_index('uq_billing_information_supply_point_month', table_name='billing_information')
    op.drop_index('ix_billing_information_customer_id', table_name='billing_information')
    op.drop_table('billing_information')

    op.execute("DELETE FROM documents WHERE visibility = 'customer'")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_documents_customer_given'), type_='check')
        batch_op.drop_constraint(op.f('ck_documents_visibility'), type_='check')
        batch_op.create_check_constraint(op.f('ck_documents_visibility'),
                                         "visibility IN ('public', 'customers', 'segment')")
        batch_op.drop_index(batch_op.f('ix_documents_customer_id'))
        batch_op.drop_constraint(batch_op.f('fk_documents_supply_point_id_supply_points'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_customer_id_customers'), type_='foreignkey')
        batch_op.drop_column('supply_point_id')
        batch_op.drop_column('customer_id')

    op.drop_table('interval_days')
