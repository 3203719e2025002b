"""Actions that change the cluster or the repository. All of them pass through :mod:`.gate`."""
