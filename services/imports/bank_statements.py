"""Payments from the bank's statement files: ISO 20022 camt.053 (XML) and the Czech ABO/GPC
fixed-width text. Every incoming credit is one record, keyed by the bank's transaction
reference: a payment of the customer its variable symbol names (matched to that customer's
invoices and advances), or a transaction in the back office's queue when it names none.
Debits, reversals and pending entries are skipped. The same statement twice changes nothing.

A file that is not well formed (broken XML, a GPC line of the wrong length, a date or an amount
that is none) is refused whole, before anything of it is written: a bank's file is either
read as it was written or not at all."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from lxml import etree

from services.billing import bank_transactions
from services.imports.cells import RecordError, day, money, optional, required
from services.imports.reader import UnreadableFile

KEY = "reference"
FIELDS = ("reference", "received_on", "amount", "currency", "variable_symbol", "counter_account", "counter_name",
          "message")
CURRENCY = "CZK"
# What the queue keeps of the payer's texts (a bank sends up to 140 characters a line).
LIMITS = {"counter_account": 50, "counter_name": 140, "message": 500}


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """(line, record) of every incoming credit of a camt.053 or ABO/GPC statement. The whole
    file is read first, so that a broken one is refused before any of its records is applied."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        records = _camt(data)
    elif start.startswith(b"074"):
        records = _gpc(data)
    else:
        raise UnreadableFile(_l("This is neither a camt.053 bank statement (XML) nor an ABO/GPC statement "
                                "(text lines 074 and 075)."))
    return iter(records)


def parse(record: dict) -> bank_transactions.Transaction:
    currency = (record.get("currency") or CURRENCY).upper()
    if currency != CURRENCY:
        raise RecordError("amount", _l("The payment is in %(currency)s; only payments in CZK are taken.",
                                       currency=currency))
    symbol = optional(record, "variable_symbol", 10)
    if symbol is not None and not symbol.isdigit():
        raise RecordError("variable_symbol", _l("A variable symbol has digits only."))
    return bank_transactions.Transaction(
        reference=required(record, "reference", 100), received_on=day(record, "received_on"),
        amount=money(record, "amount"), variable_symbol=symbol,
        **{name: optional(record, name, limit) for name, limit in LIMITS.items()})


def apply(transaction: bank_transactions.Transaction) -> str:
    known = bank_transactions.known(transaction.reference)
    if known is None:
        bank_transactions.receive(transaction)
        return "created"
    if not bank_transactions.same_transaction(known, transaction):
        raise RecordError("reference", _l("The bank reported a transaction with this reference with other values; "
                                          "a received payment is not changed."))
    return "unchanged"


def _fit(record: dict) -> dict:
    """The payer's texts cut to what is kept, a variable symbol only when it is one."""
    for name, limit in LIMITS.items():
        record[name] = " ".join((record.get(name) or "").split())[:limit]
    return record


# --- ISO 20022 camt.053 ------------------------------------------------------------------

CAMT_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])")


def _xml_parser() -> etree.XMLParser:
    # No entities, no DTD, nothing fetched from the network, libxml2's limits on depth and size kept.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _camt(data: bytes) -> list[tuple[int, dict]]:
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(_l("The XML file is not well formed (line %(line)s); it may be cut short.",
                                line=error.lineno or 1)) from None
    if root.getroottree().docinfo.doctype:
        raise UnreadableFile(_l("A bank statement has no DOCTYPE; this file is refused."))
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not CAMT_NAMESPACE.fullmatch(namespace):
        raise UnreadableFile(_l("This XML file is not a camt.053 bank statement (versions 001.02 to 001.08)."))
    ns = {"c": namespace}
    records = []
    for entry in root.iterfind("c:BkToCstmrStmt/c:Stmt/c:Ntry", ns):
        if _text(entry, "c:CdtDbtInd", ns) != "CRDT" or _text(entry, "c:RvslInd", ns).lower() == "true":
            continue  # a debit, or a credit that reverses one of our own debits
        status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
        if status and status != "BOOK":
            continue  # pending or for information only: it comes booked on a later statement
        records.extend(_camt_entry(entry, ns))
    return records


def _camt_entry(entry, ns) -> list[tuple[int, dict]]:
    """One record per entry; an entry that books several transfers at once (batch booking,
    several TxDtls with their own amounts) gives one record per transfer."""
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    reference = (_text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
                 or (_text(details[0], "c:Refs/c:AcctSvcrRef", ns) if len(details) == 1 else ""))
    booked = _camt_date(entry, "c:BookgDt", ns) or _camt_date(entry, "c:ValDt", ns)
    if booked is None:
        raise UnreadableFile(_l("Line %(line)s: the entry has no booking date.", line=entry.sourceline))
    if len(details) <= 1:
        amount, currency = _camt_amount(entry, "c:Amt", ns)
        return [(entry.sourceline, _fit({"reference": reference, "received_on": booked, "amount": amount,
                                         "currency": currency,
                                         **_camt_parties(details[0] if details else None, entry, ns)}))]
    records = []
    for position, transfer in enumerate(details, start=1):
        path = "c:AmtDtls/c:TxAmt/c:Amt" if transfer.find("c:AmtDtls/c:TxAmt/c:Amt", ns) is not None else "c:Amt"
        amount, currency = _camt_amount(transfer, path, ns)
        own = _text(transfer, "c:Refs/c:AcctSvcrRef", ns)
        records.append((transfer.sourceline, _fit({
            "reference": own or (f"{reference}/{position}" if reference else ""), "received_on": booked,
            "amount": amount, "currency": currency, **_camt_parties(transfer, entry, ns)})))
    return records


def _camt_parties(transfer, entry, ns) -> dict:
    """The payer, the payer's account, the variable symbol and the message of one transfer."""
    if transfer is None:
        return {"variable_symbol": "", "counter_account": "", "counter_name": "",
                "message": _text(entry, "c:AddtlNtryInf", ns)}
    account = (_text(transfer, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)
               or _text(transfer, "c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id", ns))
    # camt.053.001.08 wraps the party: Dbtr/Pty/Nm; the earlier versions have Dbtr/Nm.
    name = _text(transfer, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns) or _text(transfer, "c:RltdPties/c:Dbtr/c:Nm", ns)
    unstructured = " ".join(t.strip() for t in transfer.xpath("c:RmtInf/c:Ustrd/text()", namespaces=ns))
    message = unstructured or _text(transfer, "c:AddtlTxInf", ns) or _text(entry, "c:AddtlNtryInf", ns)
    return {"variable_symbol": _camt_symbol(transfer, unstructured, ns), "counter_account": account,
            "counter_name": name, "message": message}


# "VS1234", "VS:1234", "VS 1234", "/VS/1234", "/VS1234/SS…/KS…": a variable symbol as Czech banks label it.
LABELLED_SYMBOL = re.compile(r"(?:^|[/\s,;])VS[:/ ]?\s*(\d{1,10})(?!\d)", re.IGNORECASE)


def _camt_symbol(transfer, unstructured: str, ns) -> str:
    """The variable symbol: the structured creditor reference (a number of at most ten digits,
    or labelled VS), else the end-to-end reference when labelled VS (the Czech banks'
    association puts it there so), else a VS labelled in the message."""
    reference = _text(transfer, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
    if re.fullmatch(r"\d{1,10}", reference):
        return reference.lstrip("0") or reference
    for value in (reference, _text(transfer, "c:Refs/c:EndToEndId", ns)):
        if found := LABELLED_SYMBOL.search(value):
            return found[1].lstrip("0") or found[1]
    found = LABELLED_SYMBOL.search(unstructured)
    return (found[1].lstrip("0") or found[1]) if found else ""


def _camt_amount(element, path, ns) -> tuple[str, str]:
    node = element.find(path, ns)
    text = (node.text or "").strip() if node is not None else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise UnreadableFile(_l("Line %(line)s: %(value)s is not an amount.", line=element.sourceline,
                                value=text or "—"))
    return str(value), (node.get("Ccy") or CURRENCY)


def _camt_date(entry, path, ns) -> str | None:
    """ISO date of <Dt> or <DtTm> (the date part: the bank's local day)."""
    text = _text(entry, f"{path}/c:Dt", ns) or _text(entry, f"{path}/c:DtTm", ns)[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UnreadableFile(_l("Line %(line)s: %(value)s is not a date.", line=entry.sourceline,
                                value=text)) from None


def _text(element, path: str, ns) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


# --- ABO / GPC ---------------------------------------------------------------------------
# Fixed-width lines of 128 characters in windows-1250. Positions (from 1) of the 075 record:
#   1–3 "075" · 4–19 own account · 20–35 counter-account (prefix 6 + number 10) ·
#   36–48 transaction identifier · 49–60 amount in haléře · 61 accounting code (1 debit,
#   2 credit, 4 reversal of a debit, 5 reversal of a credit) · 62–71 variable symbol ·
#   72–81 "00" + counter-account's bank code (4) + constant symbol (4) · 82–91 specific symbol ·
#   92–97 value date DDMMYY · 98–117 counter-account's name · 118 "0" · 119–122 data type /
#   currency · 123–128 booking date DDMMYY.
# The header "074" (the statement's account, balances, number and date) has the same length;
# the optional records 076–079 that follow a 075 carry its messages (078, 079: the payer's).

GPC_LINE = 128
CREDIT = "2"


def _gpc(data: bytes) -> list[tuple[int, dict]]:
    try:
        text = data.decode("cp1250")
    except UnicodeDecodeError:
        raise UnreadableFile(_l("A GPC statement is in windows-1250; this file is not.")) from None
    records: list[tuple[int, dict]] = []
    current: dict | None = None  # the last credit, which 078 / 079 lines may add a message to
    seen_header = False
    for number, line in enumerate(text.rstrip("\x1a").splitlines(), start=1):
        if not line.strip():
            continue
        kind = line[:3]
        if kind in ("074", "075") and len(line) != GPC_LINE:
            raise UnreadableFile(_l("Line %(line)s: a %(kind)s record has %(expected)s characters, this one "
                                    "has %(count)s.", line=number, kind=kind, expected=GPC_LINE, count=len(line)))
        if kind == "074":
            _gpc_date(line[108:114], number)  # the statement's date: a broken one is a broken file
            seen_header, current = True, None
        elif kind == "075":
            if not seen_header:
                raise UnreadableFile(_l("Line %(line)s: a 075 record before the statement's header (074).",
                                        line=number))
            current = _gpc_transaction(line, number)
            if current is not None:
                records.append((number, current))
        elif kind in ("076", "077", "078", "079"):
            if len(line) > GPC_LINE:
                raise UnreadableFile(_l("Line %(line)s: a GPC line has at most %(expected)s characters.",
                                        line=number, expected=GPC_LINE))
            if current is not None and kind in ("078", "079"):
                current["message"] = " ".join(filter(None, [current["message"], line[3:].strip()]))
        else:
            raise UnreadableFile(_l("Line %(line)s is not a GPC record (074 or 075).", line=number))
    if not seen_header:
        raise UnreadableFile(_l("This GPC file has no statement header (074)."))
    for _, record in records:
        _fit(record)
    return records


def _gpc_transaction(line: str, number: int) -> dict | None:
    code = line[60]
    if code not in "1245":
        raise UnreadableFile(_l("Line %(line)s: %(value)s is not an accounting code (1, 2, 4 or 5).",
                                line=number, value=code))
    amount = line[48:60]
    if not amount.isdigit():
        raise UnreadableFile(_l("Line %(line)s: %(value)s is not an amount.", line=number, value=amount))
    booked = _gpc_date(line[122:128], number)
    if line[91:97] != "000000":
        _gpc_date(line[91:97], number)  # the value date
    if code != CREDIT:
        return None  # a debit or a reversal: no money a customer sent
    symbol = line[61:71].strip()
    return {
        "reference": line[35:48].strip(),
        "received_on": booked.isoformat(),
        "amount": f"{int(amount) // 100}.{int(amount) % 100:02d}",  # haléře
        "currency": CURRENCY,
        "variable_symbol": (symbol.lstrip("0") or "") if symbol.isdigit() else symbol,
        "counter_account": _gpc_account(line[19:25], line[25:35], line[73:77]),
        "counter_name": line[97:117].strip(),
        "message": "",
    }


def _gpc_account(prefix: str, account: str, bank: str) -> str:
    """Czech form: 19-2000145399/0800, or 2000145399/0800 without a prefix."""
    prefix, account = prefix.strip().lstrip("0"), account.strip().lstrip("0")
    if not account:
        return ""
    return f"{prefix}-{account}/{bank.strip()}" if prefix else f"{account}/{bank.strip()}"


def _gpc_date(text: str, number: int) -> date:
    try:
        if not text.isdigit():
            raise ValueError
        return datetime.strptime(text, "%d%m%y").date()
    except ValueError:
        raise UnreadableFile(_l("Line %(line)s: %(value)s is not a date (DDMMYY).", line=number,
                                value=text.strip() or "—")) from None
