"""Commands for the operator: `flask --app portal <command>`."""
from __future__ import annotations

import click

from extensions import db
from models.users import StaffRole, StaffUser
from services.imports import KINDS


def register_commands(app) -> None:
    from web import api_cli

    api_cli.register(app)

    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True, help="At most this many e-mails.")
    def send_mail(limit):
        """Send queued e-mails whose time has come (the servers' sender thread does it too; safe beside it)."""
        from services.outbox import send_due

        sent, failed = send_due(limit=limit)
        click.echo(f"sent {sent}, failed {failed}")

    @app.cli.command("demo-data")
    def demo_data():
        """Fill an empty database with the demo data set (does nothing if already there)."""
        from services.demo_data import load_demo_data

        created = load_demo_data()
        click.echo("demo data loaded" if created else "demo data already present, nothing changed")
        db.session.remove()

    @app.cli.command("close-ended-accounts")
    def close_ended():
        """Disable portal users whose read-only period after the last contract is over (daily cron)."""
        from services.accounts.contract_end import close_ended_accounts

        click.echo(f"disabled {close_ended_accounts()} portal users")

    @app.cli.command("mark-overdue")
    def mark_overdue_command():
        """Mark unpaid invoices past their due date as overdue (daily cron)."""
        from services.billing.payments import mark_overdue

        click.echo(f"{mark_overdue()} invoices are now overdue")

    @app.cli.command("make-invoice-pdfs")
    def make_invoice_pdfs():
        """Issue the PDFs of invoices imported without one (else each is made on its first download)."""
        from services.billing.invoicing import make_missing_pdfs, missing_pdfs

        with click.progressbar(length=missing_pdfs(), label="PDF", file=click.get_text_stream("stderr")) as bar:
            made = make_missing_pdfs(progress=bar.update)
        click.echo(f"{made} invoice PDFs made")

    @app.cli.command("import")
    @click.argument("kind", type=click.Choice(sorted(KINDS)))
    @click.argument("file", type=click.File("rb"))
    @click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
    @click.option("--all-or-nothing", is_flag=True, help="Write nothing if any record is bad.")
    def import_command(kind, file, dry_run, all_or_nothing):
        """Import one kind of record from CSV (; or ,), JSON Lines or a ZIP with PDFs; see docs/import/."""
        from services.imports import UnreadableFile, records_of, run_import

        data = file.read()
        try:
            total = sum(1 for _ in records_of(kind, data, file.name))
            with click.progressbar(length=total, label=f"{kind}", file=click.get_text_stream("stderr")) as bar:
                report = run_import(kind, records_of(kind, data, file.name), dry_run=dry_run,
                                    all_or_nothing=all_or_nothing, progress=bar.update)
        except UnreadableFile as error:
            raise click.ClickException(str(error)) from None
        for line, field, reason in report.errors:
            click.echo(f"line {line}: {field}: {reason}", err=True)
        state = "written" if report.written else "nothing written"
        click.echo(f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
                   f"{len(report.errors)} refused; {state}")
        if report.errors:
            raise SystemExit(1)

    @app.cli.command("billing-information")
    @click.option("--month", required=True, help="The month that is over, e.g. 2026-11.")
    def billing_information(month):
        """Monthly billing information (vyhláška 207/2021 Sb. §18a) for every supply point with interval data
        in the month: a PDF among the customer's documents and a notice; running it again adds nothing."""
        from datetime import date

        from services.billing import billing_information as information

        try:
            first = information.month_of(month, date.today())
        except information.NotAMonth as error:
            raise click.ClickException(str(error)) from None
        points = information.supply_points_to_inform(first)
        with click.progressbar(length=len(points), label=f"{first:%Y-%m}", file=click.get_text_stream("stderr")) as bar:
            run = information.make_month(first, progress=bar.update)
        click.echo(f"{run.made} billing information made, {run.already} made before")

    @app.cli.group("jobs")
    def jobs_group():
        """Background jobs (the back office's imports)."""

    @jobs_group.command("work")
    @click.option("--once", is_flag=True, help="Run what is queued now, then exit.")
    def jobs_work(once):
        """Run queued jobs: from the Redis list with REDIS_URL (production), else from the database.
        SIGTERM or Ctrl+C ends it once the job it is running is done (a job cut off stays 'running')."""
        import signal
        import threading

        from services import jobs

        stopping = threading.Event()
        if not once:
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda *_: stopping.set())
        ran = jobs.work(once=once, should_stop=stopping.is_set)
        click.echo(f"{ran} jobs run")

    @app.cli.command("create-staff")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", default=StaffRole.ADMINISTRATOR.value, show_default=True)
    @click.password_option()
    def create_staff(email, name, role, password):
        """Create a back-office account."""
        user = StaffUser(email=email.lower(), name=name, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"created {email}")
