"""Which optional e-mails an account wants (mandatory ones always go)."""
