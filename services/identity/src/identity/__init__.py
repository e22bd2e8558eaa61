"""Identity and access: accounts, activation, office verification, OpenID Connect provider."""
