"""The ledger's rules, enforced by PostgreSQL as well as by the services: every journal transaction
sums to zero per currency (checked at commit, so its entries can be written one by one), an entry's
currency is its account's, and nothing written to the journal is ever updated or deleted.

The deferred balance check runs at commit, when the connection may already point at another
marketplace: it reads the schema of the row that fired it (TG_TABLE_SCHEMA)."""

from django.db import migrations

BALANCE = """
CREATE FUNCTION journal_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE CONSTRAINT TRIGGER journal_balanced
AFTER INSERT ON payments_journalentry
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION journal_transaction_balances();

CREATE FUNCTION journal_entry_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Runs as the row is inserted, in the schema the insert resolved to.
    IF NEW.currency <> (SELECT currency FROM payments_ledgeraccount WHERE id = NEW.account_id) THEN
        RAISE EXCEPTION 'entry currency % differs from its account''s', NEW.currency USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER journal_entry_currency BEFORE INSERT ON payments_journalentry
FOR EACH ROW EXECUTE FUNCTION journal_entry_currency();

CREATE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: post a reversing transaction instead' USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON payments_journalentry
FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();
CREATE TRIGGER journal_transactions_append_only BEFORE UPDATE OR DELETE ON payments_journaltransaction
FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();
"""

UNDO = """
DROP TRIGGER IF EXISTS journal_transactions_append_only ON payments_journaltransaction;
DROP TRIGGER IF EXISTS journal_entries_append_only ON payments_journalentry;
DROP TRIGGER IF EXISTS journal_entry_currency ON payments_journalentry;
DROP TRIGGER IF EXISTS journal_balanced ON payments_journalentry;
DROP FUNCTION IF EXISTS journal_is_append_only();
DROP FUNCTION IF EXISTS journal_entry_currency();
DROP FUNCTION IF EXISTS journal_transaction_balances();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(BALANCE, reverse_sql=UNDO)]
