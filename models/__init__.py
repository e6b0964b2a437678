"""Every model of the portal; importing this package registers all tables."""
from models.api import ApiChange, ApiChangeCounter, ApiClient, ApiToken, TokenState  # noqa: F401
from models.audit import ActorKind, AuditEntry  # noqa: F401
from models.banking import BankTransactionState, UnmatchedBankTransaction  # noqa: F401
from models.billing import (  # noqa: F401
    Advance,
    AdvanceSchedule,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceState,
    LineKind,
    Payment,
    PaymentAllocation,
)
from models.changes import ChangeKind, ChangeRequest, ChangeRequestField, ChangeState  # noqa: F401
from models.contracts import Contract, contract_supply_points  # noqa: F401
from models.credentials import CredentialIssue  # noqa: F401
from models.customers import Customer, CustomerKind, Segment  # noqa: F401
from models.documents import Document, DocumentCategory, DocumentVersion, DocumentVisibility  # noqa: F401
from models.files import StoredFile  # noqa: F401
from models.interval_data import BillingInformation, IntervalDay  # noqa: F401
from models.jobs import Job, JobState  # noqa: F401
from models.messaging import Message, MessageAudience, MessageEvent, MessageRecipient  # noqa: F401
from models.metering import (  # noqa: F401
    Commodity,
    Meter,
    MeterReading,
    ReadingKind,
    ReadingReason,
    ReadingState,
    Register,
    SupplyPoint,
    SupplyPointState,
)
from models.outbox import EmailState, OutgoingEmail  # noqa: F401
from models.price_lists import PriceItem, PriceList, Product  # noqa: F401
from models.sessions import SessionEnd, SignInSession  # noqa: F401
from models.tickets import (  # noqa: F401
    EntryKind,
    Priority,
    RequestType,
    RoutingRule,
    ServiceCategory,
    Task,
    TaskState,
    TaskTopic,
    Ticket,
    TicketAttachment,
    TicketEntry,
    TicketKind,
    TicketState,
)
from models.users import (  # noqa: F401
    Module,
    PortalUser,
    PortalUserRight,
    PortalUserState,
    RecoveryCode,
    StaffRole,
    StaffUser,
    Team,
)
