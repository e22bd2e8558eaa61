"""Accounts: registration, activation, login, office verification, payer links."""
