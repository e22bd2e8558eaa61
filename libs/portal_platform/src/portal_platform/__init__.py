"""Infrastructure shared by the portal services (no domain code lives here)."""
