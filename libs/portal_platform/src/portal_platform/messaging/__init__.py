"""Events: outbox and relay on the producer side, inbox consumers on the consumer side."""
