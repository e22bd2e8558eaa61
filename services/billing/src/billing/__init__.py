"""Billing service: payers' ledgers (kartoteki), the charges intake, documents and payments."""
