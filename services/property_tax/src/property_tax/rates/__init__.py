"""Statutory maxima (dated data) and the council's rates per year and category."""
