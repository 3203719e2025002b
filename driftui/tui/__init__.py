"""The drift explorer: the Textual face of driftui, over a scanner callable it is handed.

It shows what the core concluded and holds no drift logic of its own: scans come from
the injected scanner, changes go only through :mod:`driftui.actions.registry` and its
mutation gate. It may import the core (model, actions, compare, live, the runtime helpers)
and textual; nothing in the core imports it back, and only ``driftui.__main__`` opens it,
lazily, so the command line never loads textual.

Layout: ``app`` conducts (composes widgets, wires the parts) and ``explorer/`` holds its
jobs, one mixin each (showing the state, scans, the key actions by family); ``keys``
declares every key once; ``scan_worker``, ``action_flow`` and ``responsiveness`` are the
machinery it calls; ``widgets/`` and ``screens/`` draw.
"""
