"""Assessment: the yearly tax, installments, decisions and self-assessed declarations."""
