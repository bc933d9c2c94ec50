"""Platform billing (public schema): plans, subscriptions, entitlements, invoices for marketplaces."""
