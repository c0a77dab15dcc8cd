"""Texts of the Audit log page (admin): the log, its filters and export, and retention."""

TEXT: dict[str, tuple[str, str]] = {
    "audit_intro": ("谁在何时做了什么：导入、回滚、设置变更、改进措施和登录。日志只能追加，不能在应用中修改或删除。",
                    "Who did what and when: imports, rollbacks, settings, actions and sign-ins. The log is "
                    "append-only: the app can neither edit nor delete it."),
    "audit_since": ("起始日期", "From day"),
    "audit_until": ("截止日期", "To day"),
    "audit_user": ("用户", "User"),
    "audit_action": ("操作", "Action"),
    "audit_empty": ("没有符合条件的日志。", "No entry matches."),
    "audit_shown": ("共 {n} 条（最多显示 5,000 条）", "{n} entries (at most 5,000 shown)"),
    "audit_download": ("下载审计日志 CSV", "Download the audit log as CSV"),
    "retention": ("数据保留与清除", "Retention"),
    "retention_intro": ("清除会永久删除数据（包括所有历史版本），且无法回滚。清除操作本身会记录在审计日志中。",
                        "A purge destroys data for good, every stored version included, and cannot be rolled "
                        "back. The purge itself is written to the audit log."),
    "purge_before": ("清除此日期之前的记录", "Purge records dated before"),
    "purge_preview": ("将删除：{what}", "This removes: {what}"),
    "purge_confirm": ("我确认永久删除上述记录", "I confirm: destroy these records for good"),
    "purge_button": ("清除记录", "Purge records"),
    "purge_done": ("已清除：{what}", "Purged: {what}"),
    "purge_nothing": ("该日期之前没有记录。", "No record is dated before that day."),
    "purge_raw": ("删除某批次的原始文件", "Delete one batch's raw file"),
    "purge_raw_batch": ("批次", "Batch"),
    "purge_raw_button": ("删除原始文件", "Delete the raw file"),
    "purge_raw_done": ("已删除 {path}（{bytes} 字节）", "Deleted {path} ({bytes} bytes)"),
    "purge_raw_none": ("没有仍保存原始文件的批次。", "No batch still has an archived raw file."),
}
