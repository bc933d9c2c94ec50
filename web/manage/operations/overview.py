"""The admin console's overview: key numbers for a period, charts over time and the same series as
CSV. Moderators see it without the money (the ledger's totals are for admins)."""

from __future__ import annotations

import csv

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import can
from web.manage.operations import reports
from web.manage.operations.charts import report_charts
from web.manage.operations.forms import ReportForm
from web.permissions import allowed


def _report(request, query=None) -> tuple[ReportForm, reports.Report | None]:
    """The period asked for (this month when nothing is asked) and its report; None when the period
    does not make sense (the form says why)."""
    form = ReportForm(request.GET if query is None else query, today=reports.today())
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = reports.build_report(
        first=data["first"],
        last=data["last"],
        per=data["per"],
        with_money=can(request.user, "payments.view_totals"),
    )
    return form, report


@allowed("reports.view")
def overview(request):
    form, report = _report(request)
    status = 200
    if report is None:  # a period that does not make sense: say why, show this month meanwhile
        status = 400
        _default, report = _report(request, query={})
    context = {
        "form": form,
        "report": report,
        "charts": report_charts(report),
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "manage/operations/overview.html", context, status=status)


@allowed("reports.view")
def reports_csv(request):
    """The overview's series as CSV, named after the marketplace and the period."""
    form, report = _report(request)
    if report is None:
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponse(_("Choose a valid period: %(errors)s") % {"errors": errors}, status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{connection.tenant.schema_name}-report-{report.first}-to-{report.last}-per-{report.per}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(reports.csv_rows(report))
    return response
