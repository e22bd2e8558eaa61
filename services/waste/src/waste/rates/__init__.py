"""Rates per year and method, and the statutory caps (dated data)."""
