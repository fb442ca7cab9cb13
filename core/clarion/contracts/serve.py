"""What a plugin may adjust before ``clarion serve`` starts: settings, resources, words and the demo."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServeSetup:
    """One ``clarion serve`` run as plugins see it before the server starts.

    ``clarion serve`` builds it, hands it to every ``clarion_serve_prepare`` implementation,
    then applies it: the plugin settings and environment reach the server and its web workers,
    the lines are printed under the "serving" line, and ``resources`` is closed after the
    server stops.

    Attributes:
        url: Where the server listens, ending in ``/`` (``http://127.0.0.1:8000/``).
        resources: Enter what must live as long as the server (a fake network, a tunnel):
            ``serve.resources.enter_context(...)``; closed, newest first, once it stops.
        plugin_settings: ``[plugins.<name>]`` values for this run only, laid over those of
            ``clarion.toml``; fill it with :meth:`configure_plugin`.
        environment: ``CLARION_*`` variables for the web workers (say, ``CLARION_EMBED_ORIGINS``);
            ones the operator set are kept.
        lines: What to tell the person who started the server, printed to stdout.
        demo_loaded: Set by the plugin that answers ``--demo`` once its programme is loaded;
            ``clarion serve --demo`` refuses to start when nobody set it.
    """

    url: str
    resources: ExitStack
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    demo_loaded: bool = False

    def configure_plugin(self, name: str, **values: Any) -> None:
        """Set ``[plugins.<name>]`` values for this run (other values of that section are kept)."""
        self.plugin_settings.setdefault(name, {}).update(values)
