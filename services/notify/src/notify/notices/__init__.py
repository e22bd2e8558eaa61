"""Which e-mail an event of another service produces, for whom and with what content."""
