"""gRPC IdentityService for the other services and the back office."""
