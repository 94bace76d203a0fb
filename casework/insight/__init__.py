"""The partnership's picture of ASB: dashboard and public figures, and imports of other agencies' data.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.insight.csv_files import (
    MAX_ROWS,
    ColumnMapping,
    CsvFile,
    ImportFileError,
    check_generic,
    check_police_uk,
    decode,
    parse_type_values,
)
from casework.insight.import_runs import batch_progress, batches, start_import
from casework.insight.imports import ImportStatus, generic_rows, police_uk_rows
from casework.insight.measures import MeasureRow, Measures, casework_figures, compute_measures
from casework.insight.periods import measures_period, quarter_period, recent_quarters
from casework.insight.public_figures import SMALL_COUNT, public_stats
from casework.insight.report_files import format_value, measures_csv, quarterly_report
from casework.insight.stats import InvalidPeriod, build_dashboard, period_from

__all__ = [
    "MeasureRow",
    "Measures",
    "casework_figures",
    "compute_measures",
    "format_value",
    "measures_csv",
    "measures_period",
    "quarter_period",
    "quarterly_report",
    "recent_quarters",
    "ColumnMapping",
    "CsvFile",
    "ImportFileError",
    "ImportStatus",
    "InvalidPeriod",
    "MAX_ROWS",
    "SMALL_COUNT",
    "batch_progress",
    "batches",
    "build_dashboard",
    "check_generic",
    "check_police_uk",
    "decode",
    "generic_rows",
    "parse_type_values",
    "period_from",
    "police_uk_rows",
    "public_stats",
    "start_import",
]
