"""Files csq writes for people: CSV with a BOM that Excel opens, timestamps as Excel reads them."""
from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

BOM = b"\xef\xbb\xbf"


def to_csv_bytes(t: pa.Table) -> bytes:
    """Return the table as UTF-8 CSV with a BOM (so Excel reads Chinese), timestamps as 'YYYY-MM-DD HH:MM:SS'."""
    for i, fld in enumerate(t.schema):
        if pa.types.is_timestamp(fld.type):
            # Arrow would write microseconds, which Excel shows as text; whole seconds read as dates.
            secs = pc.cast(t.column(i), pa.timestamp("s"), safe=False)
            t = t.set_column(i, pa.field(fld.name, pa.string()), pc.strftime(secs, "%Y-%m-%d %H:%M:%S"))
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    return BOM + buf.getvalue()
