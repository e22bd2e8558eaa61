"""The annual assessment (wymiar), installments and their recalculation."""
