"""sign-in sessions on the server, staff lock-out, wrong codes counted per account, resting credentials

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

END_REASONS = "'signed_out', 'idle', 'expired', 'password_changed', 'ended_elsewhere', 'everywhere', 'account_changed'"


def upgrade():
    op.create_table(
        'sign_in_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('portal_user_id', sa.Integer(), nullable=True),
        sa.Column('staff_user_id', sa.Integer(), nullable=True),
        sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=300), nullable=True),
        sa.Column('ended_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=16), nullable=True),
        sa.CheckConstraint('(portal_user_id IS NULL) <> (staff_user_id IS NULL)',
                           name=op.f('ck_sign_in_sessions_one_owner')),
        sa.CheckConstraint(f'end_reason IS NULL OR end_reason IN ({END_REASONS})',
                           name=op.f('ck_sign_in_sessions_end_reason')),
        sa.ForeignKeyConstraint(['portal_user_id'], ['portal_users.id'],
                                name=op.f('fk_sign_in_sessions_portal_user_id_portal_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'],
                                name=op.f('fk_sign_in_sessions_staff_user_id_staff_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_sessions_token_hash')),
    )
    op.create_index('ix_sign_in_sessions_portal_open', 'sign_in_sessions', ['portal_user_id', 'ended_at'])
    op.create_index('ix_sign_in_sessions_staff_open', 'sign_in_sessions', ['staff_user_id', 'ended_at'])

    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_codes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('session_version')
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.alter_column('failed_codes', server_default=None)

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('failed_codes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_column('session_version')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.alter_column('failed_sign_ins', server_default=None)
        batch_op.alter_column('failed_codes', server_default=None)

    with op.batch_alter_table('credential_issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resting_until', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_credential_issues_attempts'), type_='check')
        batch_op.create_check_constraint(op.f('ck_credential_issues_attempts'), 'attempts >= 0')


def downgrade():
    with op.batch_alter_table('credential_issues', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_credential_issues_attempts'), type_='check')
        batch_op.create_check_constraint(op.f('ck_credential_issues_attempts'),
                                         'attempts >= 0 AND attempts <= max_attempts + 1')
        batch_op.drop_column('resting_until')

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_codes')
        batch_op.drop_column('failed_sign_ins')

    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_column('failed_codes')

    op.drop_index('ix_sign_in_sessions_staff_open', table_name='sign_in_sessions')
    op.drop_index('ix_sign_in_sessions_portal_open', table_name='sign_in_sessions')
    op.drop_table('sign_in_sessions')
