"""Everything driftui knows about Argo CD and Flux, the tools that keep a cluster in line with Git.

- :mod:`.markers`: the labels and annotations they stamp on what they apply;
- :mod:`.owners`: which app applied an object, read from those markers;
- :mod:`.ignores`: their own ignore rules (``ignoreDifferences``, ``ssa: Ignore``);
- :mod:`.apps`: the Application or Kustomization that owns an object, read from the cluster;
- :mod:`.reconcile` and :mod:`.suspension`: asking an app to act, through the gate;
- :mod:`.destinations` and :mod:`.app_clusters`: the kubeconfig context an app deploys to.

May import source, live, compare, model and the gate; never the engine, actions or faces.
"""
