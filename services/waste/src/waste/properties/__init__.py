"""Properties (nieruchomości) for which a waste-fee declaration is filed."""
