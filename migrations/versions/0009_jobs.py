"""background jobs (the back office's imports): state, progress, the input file, the result

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('dry_run_id', sa.Integer(), nullable=True),
        sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_state')),
        sa.CheckConstraint('progress_done >= 0', name=op.f('ck_jobs_progress_non_negative')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'],
                                name=op.f('fk_jobs_file_id_stored_files'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'],
                                name=op.f('fk_jobs_created_by_id_staff_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['dry_run_id'], ['jobs.id'],
                                name=op.f('fk_jobs_dry_run_id_jobs'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    op.create_index('ix_jobs_state', 'jobs', ['state', 'id'])
    op.create_index('uq_jobs_dry_run_id', 'jobs', ['dry_run_id'], unique=True)


def downgrade():
    op.drop_index('uq_jobs_dry_run_id', table_name='jobs')
    op.drop_index('ix_jobs_state', table_name='jobs')
    op.drop_table('jobs')
