"""Reminders before reading deadlines and due dates, each sent once."""
