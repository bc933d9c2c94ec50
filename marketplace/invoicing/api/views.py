from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import MoneyField, Pagination
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings
from marketplace.invoicing import selectors
from marketplace.invoicing.models import ClientDocument, StatementLine
from marketplace.invoicing.pdf import client_document_pdf, statement_line_pdf
from marketplace.providers.selectors import provider_of


class ClientDocumentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    booking = serializers.CharField(source="booking.public_id")
    refers_to = serializers.SerializerMethodField(help_text="a credit note's receipt number")
    gross = MoneyField(help_text="paid (receipt) or given back (credit note), tax included")
    net = MoneyField()
    tax = MoneyField()

    class Meta:
        model = ClientDocument
        fields = [
            "id",
            "kind",
            "number",
            "issued_at",
            "booking",
            "refers_to",
            "marketplace_name",
            "client_name",
            "client_email",
            "provider_name",
            "listing_title",
            "package_name",
            "gross",
            "net",
            "tax",
            "tax_rate_bps",
            "tax_inclusive",
            "tax_label",
        ]

    def get_refers_to(self, document) -> str | None:
        return document.refers_to.number if document.refers_to_id else None


class StatementLineSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    booking = serializers.CharField(source="booking.public_id")
    gross = MoneyField()
    commission = MoneyField(help_text="the marketplace's share")
    platform_fee = MoneyField()
    net_to_provider = MoneyField(help_text="paid to (or, negative, taken from) your balance")

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "kind",
            "number",
            "issued_at",
            "booking",
            "client_name",
            "listing_title",
            "package_name",
            "commission_bps",
            "gross",
            "commission",
            "platform_fee",
            "net_to_provider",
        ]


class StatementTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    gross = serializers.IntegerField()
    commission = serializers.IntegerField()
    platform_fee = serializers.IntegerField()
    net_to_provider = serializers.IntegerField()


class StatementSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StatementLineSerializer(many=True)
    totals = StatementTotalSerializer(many=True, help_text="over every line of the period, per currency")


class _AnyAccept(DefaultContentNegotiation):
    """A PDF download answers whatever the client says it accepts; its errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _pdf(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _client_document(request, public_id: str) -> ClientDocument:
    document = selectors.client_document_for(request.user, public_id)
    if document is None:
        raise NotFound("No such receipt or credit note.")
    return document


class MyReceiptsView(generics.ListAPIView):
    serializer_class = ClientDocumentSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your receipts and credit notes, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.client_documents_of(self.request.user)


class MyReceiptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ClientDocumentSerializer}, summary="One of your receipts or credit notes")
    def get(self, request, public_id: str):
        return Response(ClientDocumentSerializer(_client_document(request, public_id)).data)


class MyReceiptPdfView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="A receipt or credit note as a PDF")
    def get(self, request, public_id: str):
        document = _client_document(request, public_id)
        return _pdf(client_document_pdf(document), document.number)


def _period(params) -> tuple[datetime | None, datetime | None]:
    """`from` and `to` (dates, both included) as instants in the marketplace's time zone."""
    zone = ZoneInfo(marketplace_settings().time_zone)
    days, errors = {}, {}
    for name in ("from", "to"):
        if value := params.get(name):
            try:
                days[name] = date.fromisoformat(value)
            except ValueError:
                errors[name] = ["Use a date such as 2026-12-01."]
    if not errors and "from" in days and "to" in days and days["to"] < days["from"]:
        errors["to"] = ["Use a date on or after from."]
    if errors:
        raise ValidationFailed("Some parameters are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
    start = datetime.combine(days["from"], time.min, tzinfo=zone) if "from" in days else None
    end = datetime.combine(days["to"] + timedelta(days=1), time.min, tzinfo=zone) if "to" in days else None
    return start, end


class MyStatementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your statement as a provider: lines issued between two dates, with their totals",
        parameters=[
            OpenApiParameter("from", str, description="first date, YYYY-MM-DD, in the marketplace's time zone"),
            OpenApiParameter("to", str, description="last date (included)"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="at most 100"),
        ],
        responses={200: StatementSerializer},
    )
    def get(self, request):
        start, end = _period(request.query_params)
        lines = selectors.statement_lines_of(provider_of(request.user), start=start, end=end)
        paginator = Pagination()
        page = paginator.paginate_queryset(lines, request, view=self)
        response = paginator.get_paginated_response(StatementLineSerializer(page, many=True).data)
        response.data["totals"] = StatementTotalSerializer(selectors.statement_totals(lines), many=True).data
        return response


class MyStatementLinePdfView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="One of your statement lines as a PDF")
    def get(self, request, public_id: str):
        line = selectors.statement_lines_of(provider_of(request.user)).filter(public_id=public_id).first()
        if line is None:
            raise NotFound("No such statement line.")
        return _pdf(statement_line_pdf(line), line.number)
