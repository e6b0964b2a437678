"""How long the credential letters for N customers take, and the peak memory.

    .venv/bin/python bench/letters.py [N]      (default 10000; a scratch SQLite database)

Prints the time to issue the credentials (hashes, outbox e-mails, audit), the time to
write the PDF, its size, and the process's peak resident memory."""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions import db  # noqa: E402
from models.customers import Customer  # noqa: E402
from models.users import PortalUser, PortalUserState  # noqa: E402
from portal import create_app  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "b" * 40})
    with app.app_context(), app.test_request_context():
        db.create_all()
        for i in range(n):
            customer = Customer(number=f"{2000000 + i}", name=f"Zákazník Příliš Žluťoučký {i}", email=f"c{i}@example.com",
                                street=f"Dlouhá {i}", city="Praha", postcode="11000")
            db.session.add(customer)
            db.session.add(PortalUser(customer=customer, email=f"u{i}@example.com", name=f"Uživatel {i}",
                                      state=PortalUserState.INVITED))
        db.session.commit()
        print(f"customers: {n}, peak memory before: {peak_mib():.0f} MiB")
        from services.accounts.credentials import issue_for_customers
        from services.accounts.letters import write_letters

        customers = db.session.scalars(db.select(Customer).order_by(Customer.postcode, Customer.number)).all()
        start = time.perf_counter()
        issued = issue_for_customers(customers)
        db.session.commit()
        issue_seconds = time.perf_counter() - start
        start = time.perf_counter()
        with (folder / "letters.pdf").open("wb") as out:
            pages = write_letters(issued, out)
        pdf_seconds = time.perf_counter() - start
        size = (folder / "letters.pdf").stat().st_size
    print(f"issue + queue e-mails: {issue_seconds:.1f} s ({issue_seconds / n * 1000:.2f} ms per user)")
    print(f"letters PDF: {pages} pages in {pdf_seconds:.1f} s ({pdf_seconds / n * 1000:.2f} ms per letter), "
          f"{size / 2**20:.1f} MiB")
    print(f"peak memory: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
