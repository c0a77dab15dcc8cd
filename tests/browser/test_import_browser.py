"""Import page in a real browser: upload, report, commit, presets, bad files, rollback (issue 4 checks 1–5)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from csq.store import open_store
from tests.browser.conftest import exceptions, settle, start_server
from tests.support import REAL, SAMPLES, cli_json


class Served:
    """A dashboard on its own empty store; stop() releases the store so the CLI can read it."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.proc, self.base = start_server(db)

    def stop(self) -> None:
        """Stop the server (once) and wait until it has released the store."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[Served]:
    """Return a dashboard on an empty store, as admin."""
    db = tmp_path / "imp.duckdb"
    open_store(db).close()
    served = Served(db)
    yield served
    served.stop()


def _open(page, base: str, path: str = "import") -> None:
    page.goto(f"{base}/{path}?lang=zh")
    settle(page)


def _upload(page, *files: Path) -> str:
    page.set_input_files("input[type=file]", [str(f) for f in files])
    settle(page)
    page.wait_for_selector("text=校验报告") if files else None
    settle(page)
    return page.inner_text('[data-testid="stMain"]')


def _metric(page, label: str, within: str = "") -> str:
    box = page.locator(f'{within} [data-testid="stMetric"]'.strip()).filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _click(page, text: str) -> None:
    page.get_by_role("button", name=text).first.click()
    settle(page)


def _commit(page) -> str:
    _click(page, "提交导入")
    page.wait_for_selector("text=已导入")
    settle(page)
    return page.inner_text('[data-testid="stMain"]')


def _current(served: Served) -> int:
    served.stop()
    return int(cli_json("kpi", "--indicators", "tickets", db=served.db)[0]["tickets"])


def _overview_tickets(page, base: str) -> str:
    page.goto(f"{base}/?lang=zh")
    settle(page)
    return _metric(page, "工单量", ".st-key-wide_tiles")  # the monthly tile, not today's strip above it


def test_gbk_upload_commit_and_overview_without_restart(empty_server: Served, page) -> None:
    base = empty_server.base
    _open(page, base)
    text = _upload(page, SAMPLES / "tickets_2025-03_gbk.csv")
    assert exceptions(page) == []
    assert _metric(page, "读取行数") == "3,000" and _metric(page, "将导入") == "3,000"
    assert _metric(page, "拒绝行数") == "0"
    # The Chinese headers were mapped: the pickers show the source headers.
    assert "受理时间" in text and "工单编号" in text
    assert "已导入 3,000 行" in _commit(page)
    assert _overview_tickets(page, base) == "3,000"
    assert exceptions(page) == []


def test_april_xlsx_report_then_rollback_restores_march(empty_server: Served, page) -> None:
    base = empty_server.base
    _open(page, base)
    _upload(page, SAMPLES / "tickets_2025-03_gbk.csv")
    _commit(page)
    _upload(page, SAMPLES / "tickets_2025-04.xlsx")
    assert _metric(page, "其中新增") == "2,800" and _metric(page, "将替换") == "120"
    _commit(page)
    assert _overview_tickets(page, base) == "5,800"
    _open(page, base)
    page.get_by_role("tab", name="导入历史").click()
    settle(page)
    page.get_by_label("选择要回滚的批次").first.click()
    page.get_by_role("option").filter(has_text="tickets_2025-04.xlsx").first.click()
    settle(page)
    main = page.inner_text('[data-testid="stMain"]')
    assert "删除该批次导入的 2,920 行" in main and "恢复被它替换的 120 行旧版本" in main
    _click(page, "回滚批次")
    assert "请先勾选确认框" in page.inner_text('[data-testid="stMain"]')
    page.get_by_text("我确认回滚批次").first.click()
    settle(page)
    _click(page, "回滚批次")
    assert "已回滚" in page.inner_text('[data-testid="stMain"]')
    assert _overview_tickets(page, base) == "3,000"
    assert _current(empty_server) == 3000


def test_same_file_again_is_reported_as_duplicate(empty_server: Served, page) -> None:
    base = empty_server.base
    _open(page, base)
    _upload(page, SAMPLES / "tickets_2025-03_gbk.csv")
    _commit(page)
    page.set_input_files("input[type=file]", [str(SAMPLES / "tickets_2025-03_gbk.csv")])
    settle(page)
    assert "已导入过" in page.inner_text('[data-testid="stMain"]')
    assert _current(empty_server) == 3000


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "missing_created_column.csv", "not_a_table.csv",
                                  "resolved_before_created.csv"])
def test_bad_files_get_a_clear_message_and_nothing_is_written(empty_server: Served, page, name: str) -> None:
    base = empty_server.base
    _open(page, base)
    page.set_input_files("input[type=file]", [str(SAMPLES / "bad" / name)])
    settle(page)
    main = page.inner_text('[data-testid="stMain"]')
    assert exceptions(page) == []
    assert page.locator('[data-testid="stAlertContentError"]').count() >= 1, main
    if name == "resolved_before_created.csv":
        assert _metric(page, "拒绝行数") == "1"
        assert page.get_by_role("button", name="提交导入").first.is_disabled()
    else:
        assert "未写入任何数据" in main
    assert _current(empty_server) == 0
    store = open_store(empty_server.db, read_only=True)
    assert store.scalar("SELECT count(*) FROM batches") == 0
    store.close()


def test_servicenow_with_preset_and_cfpb_mapped_in_the_page(empty_server: Served, page,
                                                           tmp_path: Path) -> None:
    base = empty_server.base
    cli_db = tmp_path / "cli.duckdb"
    want_sn = cli_json("import", str(REAL / "servicenow_incident_events.csv"), "--kind", "tickets", "--preset",
                       "servicenow", db=cli_db)[0]
    want_cfpb = cli_json("import", str(REAL / "cfpb_complaints_2014.csv"), "--kind", "tickets", "--mapping",
                         str(Path(__file__).parents[1] / "mappings" / "cfpb_complaints.json"), db=cli_db)[0]
    _open(page, base)
    page.set_input_files("input[type=file]", [str(REAL / "servicenow_incident_events.csv")])
    settle(page)
    _select(page, "映射预设", "ServiceNow 事件单导出（servicenow）")
    assert _metric(page, "读取行数") == f"{want_sn['rows_read']:,}"
    assert _metric(page, "将导入") == f"{want_sn['rows_loaded']:,}"
    assert _metric(page, "合并的重复行") == f"{want_sn['rows_collapsed']:,}"
    assert f"已导入 {want_sn['rows_loaded']:,} 行" in _commit(page)

    page.set_input_files("input[type=file]", [str(REAL / "cfpb_complaints_2014.csv")])
    page.wait_for_selector("text=required column(s) missing")
    settle(page)
    _select(page, "工单编号 (ticket_id) *", "Complaint ID")
    _select(page, "业务类型 (type) *", "＝ 所有行取同一常量…")
    page.get_by_label("type 的常量").fill("complaint")
    page.keyboard.press("Enter")
    settle(page)
    _select(page, "问题分类 (category)", "Product")
    _select(page, "班组 (team)", "Company")
    assert _metric(page, "将导入") == f"{want_cfpb['rows_loaded']:,}"
    assert _metric(page, "拒绝行数") == "0"
    page.get_by_label("预设名称").fill("CFPB 月度导出")
    page.keyboard.press("Enter")
    settle(page)
    _click(page, "保存为预设")
    assert "已保存" in page.inner_text('[data-testid="stMain"]')
    assert f"已导入 {want_cfpb['rows_loaded']:,} 行" in _commit(page)
    empty_server.stop()
    store = open_store(empty_server.db, read_only=True)
    saved = json.loads(str(store.scalar("SELECT mapping_json FROM presets WHERE name = 'CFPB 月度导出'")))
    assert store.scalar("SELECT count(*) FROM tickets_current") == want_sn["rows_loaded"] + want_cfpb["rows_loaded"]
    store.close()
    assert saved["columns"]["ticket_id"] == "Complaint ID" and saved["constants"] == {"type": "complaint"}
    assert exceptions(page) == []


def _select(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).first.click()
    page.keyboard.type(option[:12])  # the list is filtered as one types, so long lists need no scrolling
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)
