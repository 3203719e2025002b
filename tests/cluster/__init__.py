"""A real local Kubernetes control plane (etcd + kube-apiserver) for integration tests."""
