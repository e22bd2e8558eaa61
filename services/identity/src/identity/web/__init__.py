"""Identity's pages: registration, activation, login (with TOTP), password reset."""
