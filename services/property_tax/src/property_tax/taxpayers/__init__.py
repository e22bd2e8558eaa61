"""Taxpayers: a payer (kartoteka) seen as a natural person or a legal person."""
