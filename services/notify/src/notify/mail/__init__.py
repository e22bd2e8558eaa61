"""Outgoing e-mail: the message record, rendering from templates, delivery over SMTP."""
