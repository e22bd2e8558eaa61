"""The gmina's payment schedule and working-day due dates."""
