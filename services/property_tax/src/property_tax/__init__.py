"""Property tax (podatek od nieruchomości): taxable objects, rates, decisions, declarations."""
