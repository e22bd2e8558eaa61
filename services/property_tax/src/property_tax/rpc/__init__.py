"""gRPC transport: PropertyTaxService and ModuleService."""
