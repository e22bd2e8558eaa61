"""Municipal waste fee: declarations, rates, installments."""
