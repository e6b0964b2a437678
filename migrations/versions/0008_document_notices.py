"""notices of new documents: the person's preference (every document / none, the invoice PDF
attached), an e-mail's attachment, and when a price list was announced

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base  # noqa: F401  (the project's column types)


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_notices', sa.String(length=8), nullable=False,
                                      server_default='every'))
        batch_op.add_column(sa.Column('invoice_pdf_by_email', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_check_constraint(op.f('ck_portal_users_document_notices'),
                                         "document_notices IN ('every', 'none')")
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.alter_column('document_notices', server_default=None)
        batch_op.alter_column('invoice_pdf_by_email', server_default=None)

    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_outgoing_emails_attachment_id_stored_files'), 'stored_files',
                                    ['attachment_id'], ['id'], ondelete='SET NULL')

    op.add_column('price_lists', sa.Column('announced_at', models.base.UTCDateTime(timezone=True), nullable=True))
    # The price lists published before notices existed are not news: never announce them now.
    op.execute("UPDATE price_lists SET announced_at = created_at")


def downgrade():
    with op.batch_alter_table('price_lists', schema=None) as batch_op:
        batch_op.drop_column('announced_at')
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_outgoing_emails_attachment_id_stored_files'), type_='foreignkey')
        batch_op.drop_column('attachment_id')
    with op.batch_alter_table('portal_users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_portal_users_document_notices'), type_='check')
        batch_op.drop_column('invoice_pdf_by_email')
        batch_op.drop_column('document_notices')
