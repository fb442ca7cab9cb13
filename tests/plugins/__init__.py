"""Real plugin modules the tests register, one idea per file.

This folder is a package so tests can import ``plugins.<module>`` and list
``"plugins.<module>"`` in ``settings.plugin_modules``: with pytest's default import mode
(``prepend``) the ``tests/`` folder is on ``sys.path`` while the tests run, because
``tests/`` itself has no ``__init__.py``. Being a regular package, it wins over the
repository's top-level ``plugins/`` source root, which holds ``clarion_plugins`` and has no
``__init__.py`` of its own.

Nothing here may ship a ``templates/`` folder: the engine would pick it up as plugin templates.
"""
