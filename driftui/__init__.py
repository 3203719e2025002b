"""driftui: a terminal drift explorer for GitOps on Kubernetes."""

__version__ = "0.1.0"
