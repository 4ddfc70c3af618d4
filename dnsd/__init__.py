"""dnsd: authoritative DNS for the custom domains of services on Kubernetes."""

__version__ = "0.1.0"
