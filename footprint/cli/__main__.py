"""``python -m footprint.cli``: the same as the ``footprint`` command."""

from . import main

main()
