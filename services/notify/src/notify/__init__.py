"""Notifications: e-mail delivery, reminders, contact with the clerk."""
