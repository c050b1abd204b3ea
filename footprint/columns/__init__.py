"""The one resolver: user inputs of many rows to the inputs of the core, with provenance.

A single estimate is a table of one row, a scenario step is a row, a batch is many:
:func:`resolve_columns` takes every user input as a column already read by the
quantity grammar (``(rows, 3)`` magnitudes in natural (low, value, high) order and
a mask of the rows that gave it) and name columns (GPU, zone, model...), applies
every default rule once, row-wise by masks, and returns:

* ``values``: each input of :data:`footprint.inputs.CORE` as ``(rows, 3)`` or ``(1, 3)``
  in natural order (NaN for an optional input not taken);
* ``sources``: for each of them, where every row's value came from (:class:`Sources`:
  given, a factor row, derived by a formula, or a proxy), readable as structured
  records;
* ``notes``: what a user must know about a row (a proxy used, a default zone...);
* ``path``: the serving path chosen for each row (:data:`PATHS`);
* ``problems``: every bad value, by row and input (:class:`Problems`).

Messages name inputs neutrally (``training_lifetime_requests``); callers pass a
``label`` function that spells them as the user typed them (a flag, a TOML key, a
column).

The package, one module per concern: :mod:`.problems` (bad values of many rows, one message),
:mod:`.names` (name columns and the factor columns they look up), :mod:`.provenance` (where each value
came from, and :func:`choose`), :mod:`.state` (the inputs, the result and the resolution in progress),
:mod:`.steps` (:func:`resolve_columns` and its serving steps) and :mod:`.training` (the training steps).
"""

from __future__ import annotations

from .problems import INPUT_REF, LazyMessages, MAX_GROUPS, Problems, check_column, reduce3, report  # noqa: F401
from .names import Names, as_cases, factor_column, overlay, point, read_names, scale, triple, where  # noqa: F401
from .provenance import GIVEN, Rule, Sources, choose, choose_or_proxy  # noqa: F401
from .state import Columns, D, DEFAULT_STACK, ITEM_RULE, PATHS, PRECISION_OF_BYTES, PROVISIONING, Resolution, Run, STACK_CONSTANTS, TRAINING_OFF, catalogue_field, constant_column, constant_rule, deployment_names, empty_columns, lower_choice, override_notes, precision_lookup, size_text  # noqa: F401
from .training import resolve_training, spread_by  # noqa: F401
from .steps import resolve_columns  # noqa: F401

__all__ = ['Columns', 'D', 'DEFAULT_STACK', 'GIVEN', 'INPUT_REF', 'ITEM_RULE', 'LazyMessages', 'MAX_GROUPS', 'Names', 'PATHS', 'PRECISION_OF_BYTES', 'PROVISIONING', 'Problems', 'Resolution', 'Rule', 'Run', 'STACK_CONSTANTS', 'Sources', 'TRAINING_OFF', 'as_cases', 'catalogue_field', 'check_column', 'choose', 'choose_or_proxy', 'constant_column', 'constant_rule', 'deployment_names', 'empty_columns', 'factor_column', 'lower_choice', 'overlay', 'override_notes', 'point', 'precision_lookup', 'read_names', 'reduce3', 'report', 'resolve_columns', 'resolve_training', 'scale', 'size_text', 'spread_by', 'triple', 'where']
