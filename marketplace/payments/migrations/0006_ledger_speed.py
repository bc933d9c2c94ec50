"""The deferred balance check, cheaper: the same rule, checked at the same moment (commit, once per
entry row), with a plan PostgreSQL keeps.

0002's check built its query with format() and EXECUTE for every entry row, because at commit the
connection may point at another marketplace: parsing and planning that query was most of a posting's
cost at commit. Now the check runs a static query (its plan cached for the session) whenever the
search path resolves `payments_journalentry` to the schema of the row being checked, i.e. that schema
comes first on the search path and the session has no temporary schema (pg_temp is looked at before
the search path). Otherwise (the connection already points elsewhere) it falls back to 0002's query
with the schema named explicitly."""

from django.db import migrations

BALANCE = """
CREATE OR REPLACE FUNCTION journal_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    IF TG_TABLE_SCHEMA = (current_schemas(false))[1] AND pg_my_temp_schema() = 0 THEN
        -- Unqualified names resolve to this row's schema: a static query, planned once per session.
        SELECT currency, sum(amount) AS total INTO off FROM payments_journalentry
        WHERE transaction_id = NEW.transaction_id GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
    ELSE
        -- At commit the connection may point at another schema: name this row's table explicitly.
        EXECUTE format(
            'SELECT currency, sum(amount) AS total FROM %I.payments_journalentry WHERE transaction_id = $1 '
            'GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1', TG_TABLE_SCHEMA)
        INTO off USING NEW.transaction_id;
    END IF;
    IF off.currency IS NOT NULL THEN
        RAISE EXCEPTION 'journal transaction % does not balance: % % off', NEW.transaction_id, off.total, off.currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""

BALANCE_0002 = """
CREATE OR REPLACE FUNCTION journal_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    -- At commit the connection may point at another schema: name this row's table explicitly.
    EXECUTE format(
        'SELECT currency, sum(amount) AS total FROM %I.payments_journalentry WHERE transaction_id = $1 '
        'GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1', TG_TABLE_SCHEMA)
    INTO off USING NEW.transaction_id;
    IF off.currency IS NOT NULL THEN
        RAISE EXCEPTION 'journal transaction % does not balance: % % off', NEW.transaction_id, off.total, off.currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_payees_payouts_webhooks_reconciliation")]

    operations = [migrations.RunSQL(BALANCE, reverse_sql=BALANCE_0002)]
