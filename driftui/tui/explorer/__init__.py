"""The explorer App's own jobs, one mixin a job; :mod:`driftui.tui.app` joins them.

``parts`` holds what they all share (the state, the widgets, the selection); ``presenting``
puts that state on screen; ``scanning`` starts scans and takes in what they send back;
``view_keys``, ``action_keys`` and ``discoverability`` are the key actions by family.
Each is a subclass of :class:`textual.app.App` so that its ``@on`` handlers are
registered; none of them is an app on its own.
"""
