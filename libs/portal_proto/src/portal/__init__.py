"""Generated protobuf and gRPC code for the portal contracts (see proto/)."""
