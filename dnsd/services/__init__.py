"""Application services: the use cases the CLI and the HTTP API share (seed files, bulk record
imports). They take the store and domain values and raise the domain errors; parsing arguments,
requests and printing stay with the callers."""
