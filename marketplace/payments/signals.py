"""`journal_posted` is sent inside the posting's database transaction, once per new journal
transaction (never for a replay), with `journal` and `booking` (or None). Receivers that write (e.g.
receipts) commit or roll back with the posting."""

from django.dispatch import Signal

journal_posted = Signal()
