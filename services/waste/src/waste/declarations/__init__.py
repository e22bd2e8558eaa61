"""Waste-fee declarations (deklaracje) and their versions."""
