"""``python -m footprint``: the same as the ``footprint`` command."""

from .cli import main

main()
