"""``python -m clarion``: the same as the ``clarion`` command."""

from clarion.cli import main

main()
