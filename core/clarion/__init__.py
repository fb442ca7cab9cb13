"""Clarion: an employee advocacy engine you embed in your own intranet.

Plugins implement hooks with the :data:`hookimpl` marker::

    from clarion import hookimpl

    @hookimpl
    def clarion_connectors_register(engine):
        return [MyConnector()]
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

try:
    __version__ = version("clarion")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

hookimpl = pluggy.HookimplMarker("clarion")
"""Marker for hook implementations: ``@hookimpl`` or ``@hookimpl(trylast=True)``."""

__all__ = ["__version__", "hookimpl"]
