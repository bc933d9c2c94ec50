"""Reading receipts, credit notes and statement lines: clients see their own documents, providers
their own statement; whoever may act on every booking (admins, moderators) may open any document."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet, Sum

from accounts.permissions import can
from marketplace.invoicing.models import ClientDocument, StatementLine

# Who may read every client's documents: those who already see every booking and its money.
SEE_EVERY_DOCUMENT = "bookings.intervene"


def client_documents_of(user) -> QuerySet[ClientDocument]:
    """The user's receipts and credit notes, newest first."""
    return ClientDocument.objects.filter(client_id=user.pk).select_related("booking", "refers_to")


def client_document_for(viewer, public_id: str) -> ClientDocument | None:
    """A receipt or credit note, for its client (and admins); None for anyone else."""
    if not viewer.is_authenticated:
        return None
    documents = ClientDocument.objects.select_related("booking", "refers_to")
    if not can(viewer, SEE_EVERY_DOCUMENT):
        documents = documents.filter(client_id=viewer.pk)
    return documents.filter(public_id=public_id).first()


def statement_lines_of(provider, *, start: datetime | None = None, end: datetime | None = None) -> QuerySet:
    """The provider's statement lines issued in [start, end), newest first."""
    lines = StatementLine.objects.filter(provider=provider).select_related("booking")
    if start is not None:
        lines = lines.filter(issued_at__gte=start)
    if end is not None:
        lines = lines.filter(issued_at__lt=end)
    return lines


def statement_totals(lines: QuerySet[StatementLine]) -> list[dict]:
    """The sums of `lines`, one row per currency."""
    return list(
        lines.order_by("currency")
        .values("currency")
        .annotate(
            gross=Sum("gross"),
            commission=Sum("commission"),
            platform_fee=Sum("platform_fee"),
            net_to_provider=Sum("net_to_provider"),
        )
    )
