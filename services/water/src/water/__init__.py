"""Water and sewage: premises, meters, readings, tariffs and water invoices."""
