"""Live measurement of a command or a Python block with CodeCarbon.

CodeCarbon's :class:`OfflineEmissionsTracker` is the measuring engine: it gives
the energy drawn by the CPU, RAM and GPU over the run and its duration.  This
module adds what footprint needs around it:

* CO2e from **footprint's own** grid factors (``factors/grid.csv``), so that a
  measurement and an estimate of the same zone share one source of factors
  (CodeCarbon's own figure is reported beside it);
* the power-measurement method CodeCarbon used (RAPL, NVML... or its CPU-load x
  TDP and RAM models), flagged as a *measurement* or an *estimate*;
* energy per token or per item, and a comparison with :func:`footprint.estimate`;
* an append-only results log (CSV), written atomically.

The package is split by what each part does: :mod:`.record` (a measurement,
its units and CO2e), :mod:`.tracker` (the CodeCarbon adapter), :mod:`.meter`
(a Python block), :mod:`.process` (a command, its output and signals) and
:mod:`.log` (the results CSV).  The names below are its public face.

CodeCarbon is imported only inside the functions that measure, so that every
other command starts fast.

References
----------
.. [1] CodeCarbon 3.3, https://github.com/mlco2/codecarbon (MIT): energy of CPU
   (RAPL, or psutil load x TDP), RAM (model, 5 W per DIMM) and GPU (NVML counters).
.. [2] ISO/IEC 21031:2024 Software Carbon Intensity (operational CO2e = E x I).
"""

from __future__ import annotations

from .record import DEFAULT_INTERVAL, TRACKING_MODES, STATUSES, COLUMNS, UNITS, MeasurementError, operational_co2e, energy_per_unit, classify_hardware, method_text, Measurement, build_measurement, compare_with_estimate, calibration_flag, measured_components  # noqa: F401
from .tracker import EXPLICIT_SETTINGS, codecarbon_config, check_codecarbon_config, tracker_settings, read_tracker  # noqa: F401
from .log import check_results_file, read_results, row_components, find_run, append_result, fallback_dirs, write_fallback, record_result  # noqa: F401
from .meter import Meter, measure  # noqa: F401
from .process import COUNT_LINE, COUNT_VALUE, parse_count_line, read_count_line, resolve_command, measure_command  # noqa: F401
