"""gRPC on grpc.aio: server bootstrap, interceptors, clients."""
