"""pint, imported once for footprint without its Dask hooks (the CLI starts about 0.1 s sooner).

When Dask is installed (the optional ``footprint[dask]`` extra), ``import pint`` imports
``dask.base`` to support pint quantities that wrap Dask arrays, which footprint never
makes (its Dask path moves pandas partitions, and quantities are plain numbers or numpy
arrays).  So the first import of pint hides Dask for that moment only, unless Dask or pint
is already imported (then nothing changes); ``import dask`` works as usual afterwards.

>>> from footprint._pint import pint
>>> pint.__name__
'pint'
"""

from __future__ import annotations

import sys


def _import_pint():
    if "pint" in sys.modules or "dask" in sys.modules:
        import pint

        return pint
    sys.modules["dask"] = None  # importlib.util.find_spec("dask") is None: pint skips its Dask support
    try:
        import pint
    finally:
        if "dask" in sys.modules and sys.modules["dask"] is None:
            del sys.modules["dask"]
    return pint


pint = _import_pint()
