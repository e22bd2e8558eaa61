"""Contact with the clerk: cases, their messages and attachments."""
