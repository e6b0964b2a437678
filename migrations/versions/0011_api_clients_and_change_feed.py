"""the JSON API: clients, their tokens (hashes only), the change feed and its counter; audit
entries by an API client

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

ACTOR_KINDS = "'customer', 'staff', 'system', 'anonymous'"


def upgrade():
    op.create_table(
        'api_clients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    )
    op.create_index('uq_api_clients_name', 'api_clients', ['name'], unique=True)
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.Text(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'],
                                name=op.f('fk_api_tokens_client_id_api_clients'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    )
    op.create_index(op.f('ix_api_tokens_client_id'), 'api_tokens', ['client_id'])
    op.create_index('uq_api_tokens_token_hash', 'api_tokens', ['token_hash'], unique=True)
    op.create_table(
        'api_changes',
        sa.Column('number', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('number', name=op.f('pk_api_changes')),
    )
    op.create_index('ix_api_changes_topic_number', 'api_changes', ['topic', 'number'])
    # The row is created by the first change (services.api.feed._allocate upserts it).
    op.create_table(
        'api_change_counter',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_change_counter')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_actor_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_entries_actor_kind'),
                                         f"actor_kind IN ({ACTOR_KINDS}, 'api')")


def downgrade():
    op.execute("UPDATE audit_entries SET actor_kind = 'system' WHERE actor_kind = 'api'")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_actor_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_entries_actor_kind'), f"actor_kind IN ({ACTOR_KINDS})")
    op.drop_table('api_change_counter')
    op.drop_index('ix_api_changes_topic_number', table_name='api_changes')
    op.drop_table('api_changes')
    op.drop_index('uq_api_tokens_token_hash', table_name='api_tokens')
    op.drop_index(op.f('ix_api_tokens_client_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index('uq_api_clients_name', table_name='api_clients')
    op.drop_table('api_clients')
