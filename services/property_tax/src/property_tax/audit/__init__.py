"""Audit log of clerk actions that change data."""
