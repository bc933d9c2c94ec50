from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "marketplace.invoicing"
    label = "invoicing"
    verbose_name = "Receipts and statements"

    def ready(self) -> None:
        from marketplace.payments.signals import journal_posted

        journal_posted.connect(_issue_documents, dispatch_uid="invoicing.documents_issue")


def _issue_documents(sender, *, journal, **kwargs) -> None:
    """Every new journal transaction may call for documents, issued in its transaction."""
    from marketplace.invoicing.services import documents_issue

    documents_issue(journal=journal)
