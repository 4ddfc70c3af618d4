"""Kubernetes integration: Services, Ingresses and Istio Gateway/VirtualService -> records."""
