"""Issued documents never change: PostgreSQL refuses every update and delete of a receipt, credit note
or statement line (a correction is a new document, e.g. a credit note)."""

from django.db import migrations

IMMUTABLE = """
CREATE FUNCTION invoicing_document_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued documents never change: issue a new one instead' USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER client_documents_immutable BEFORE UPDATE OR DELETE ON invoicing_clientdocument
FOR EACH ROW EXECUTE FUNCTION invoicing_document_is_immutable();
CREATE TRIGGER statement_lines_immutable BEFORE UPDATE OR DELETE ON invoicing_statementline
FOR EACH ROW EXECUTE FUNCTION invoicing_document_is_immutable();
"""

UNDO = """
DROP TRIGGER IF EXISTS statement_lines_immutable ON invoicing_statementline;
DROP TRIGGER IF EXISTS client_documents_immutable ON invoicing_clientdocument;
DROP FUNCTION IF EXISTS invoicing_document_is_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunSQL(IMMUTABLE, reverse_sql=UNDO)]
