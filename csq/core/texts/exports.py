"""Texts of the CSV downloads (csq.core.exports): the two buttons and yes/no in the localised file."""

TEXT: dict[str, tuple[str, str]] = {
    "export_csv": ("下载 CSV", "Download CSV"),
    "export_csv_raw": ("下载原始 CSV（英文字段名与代码）", "Download raw CSV (canonical keys and codes)"),
    "export_csv_raw_help": ("字段名和取值保持系统内部的英文代码、数字不舍入，便于脚本处理或重新导入。",
                            "Column keys and values as csq stores them (channel = phone), numbers unrounded: for "
                            "scripts and re-imports."),
    "export_yes": ("是", "yes"),
    "export_no": ("否", "no"),
}
