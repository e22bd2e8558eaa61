"""OpenID Connect provider (Authlib): keys, clients, codes, tokens, endpoints."""
