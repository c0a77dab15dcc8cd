"""Import page in both languages: the uploader's instructions, bilingual built-in presets, the rollback plan's
wording when nothing is restored, and the rejected rows offered as a localised and a raw CSV."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from csq.errors import InputRefused
from csq.ingest import inspection as preview
from csq.ingest.mapping import builtin_presets, parse_mapping
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import SAMPLES

GBK = SAMPLES / "tickets_2025-03_gbk.csv"
XLSX = SAMPLES / "tickets_2025-04.xlsx"


def _commit(store, path: Path) -> int:
    res = preview.commit(store, preview.inspect(store, path.read_bytes(), path.name, "tickets"), path.read_bytes(),
                         role="admin")
    return int(res.batch_id)  # type: ignore[arg-type]


@pytest.fixture
def one_batch(store) -> Path:
    _commit(store, GBK)
    path = store.path
    store.close()
    return path


def test_the_builtin_preset_has_a_title_and_description_in_both_languages() -> None:
    m = builtin_presets()["servicenow"]
    assert preview.preset_title("servicenow", m, "zh") == "ServiceNow 事件单导出"
    assert preview.preset_title("servicenow", m, "en") == "ServiceNow incident export"
    assert "当前状态" in preview.preset_description(m, "zh") and "current state" in preview.preset_description(m, "en")
    assert preview.preset_title("my own", parse_mapping({"kind": "tickets"}), "zh") == "my own"
    with pytest.raises(InputRefused, match="title"):
        parse_mapping({"kind": "tickets", "title": {"fr": "x"}})


def test_a_preset_saved_from_a_builtin_one_goes_by_its_own_name(store) -> None:
    preview.save_preset(store, "月度 ServiceNow", builtin_presets()["servicenow"], role="admin")
    saved = preview.presets_for(store)["月度 ServiceNow"]
    assert saved.title is None and preview.preset_title("月度 ServiceNow", saved, "zh") == "月度 ServiceNow"


def test_rolling_back_a_batch_that_replaced_nothing_says_so_without_a_dash(one_batch: Path) -> None:
    at = run_app(one_batch, page="app_pages/import.py", role="admin")
    assert_no_exception(at)
    at.selectbox(key="import_rb_pick").set_value(1).run()
    text = page_text(at)
    assert "删除该批次导入的 3,000 行" in text and "没有替换任何旧版本" in text
    assert "来自批次 –" not in text and "批次 –" not in text


def test_rolling_back_a_batch_that_replaced_rows_names_the_batches(store) -> None:
    first = _commit(store, GBK)
    _commit(store, XLSX)
    path = store.path
    store.close()
    for lang, words in (("zh", f"（来自批次 #{first}（120 行））"), ("en", f"(from batch #{first} (120 rows))")):
        at = run_app(path, page="app_pages/import.py", role="admin", params={"lang": lang})
        at.selectbox(key="import_rb_pick").set_value(first + 1).run()
        assert words in page_text(at)


def test_the_uploader_and_presets_speak_chinese(one_batch: Path) -> None:
    at = run_app(one_batch, page="app_pages/import.py", role="admin")
    assert_no_exception(at)
    uploader = at.get("file_uploader")[0].proto
    assert "拖" in uploader.label and "Browse files" in uploader.label and "浏览文件" in uploader.help
    presets = "\n".join(d.value.to_csv() for d in at.dataframe)
    assert "ServiceNow 事件单导出" in presets and "sys_mod_count 最大的一行" in presets
    assert "incident export" not in presets
    assert at.selectbox(key="import_p_pick").format_func("servicenow") == "ServiceNow 事件单导出（servicenow）"


def test_rejected_rows_come_as_a_localised_and_a_raw_csv(store) -> None:
    data = "工单编号,受理时间,业务类型,渠道\nT1,2025-03-01 09:00,咨询,电话\nT2,not a date,咨询,=cmd()\n".encode()
    insp = preview.inspect(store, data, "bad.csv", "tickets")
    shown, raw = preview.rejected_downloads(insp, "zh")
    assert (shown.file_name, raw.file_name) == ("rejected_bad.csv", "rejected_bad_raw.csv")
    zh = list(csv.reader(io.StringIO(shown.data.decode("utf-8-sig"))))
    en = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    assert zh[0] == ["行号", "工单编号", "受理时间", "业务类型", "渠道", "原因"]  # the file's own headers kept
    assert en[0] == ["row", "工单编号", "受理时间", "业务类型", "渠道", "reason"]
    assert zh[1][4] == en[1][4] == "'=cmd()"  # defused in both
