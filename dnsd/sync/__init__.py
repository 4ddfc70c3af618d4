"""Keeping external DNS providers (DNSPod) in step with the store: plan, then apply."""
