"""Invoices, advances and payments: issuing and cancelling invoices, their PDFs and QR Platba,
advance schedules and calendars, matching payments, the statement and the billing overview,
and price lists."""
