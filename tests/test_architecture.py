"""House rules: csq stays headless, pages stay thin, widgets have keys, functions say what they return."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

CSQ = sorted((ROOT / "csq").rglob("*.py"))
PAGES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
UI_MODULES = {"ui.py"}
WIDGETS = {"button", "download_button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider",
           "select_slider", "text_input", "number_input", "text_area", "date_input", "time_input", "file_uploader",
           "color_picker", "segmented_control", "pills", "data_editor", "form_submit_button", "feedback"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_csq_never_imports_streamlit_outside_the_ui_helper() -> None:
    offenders = [p.name for p in CSQ if "streamlit" in _imports(p) and p.name not in UI_MODULES]
    assert offenders == []


def test_pages_hold_no_sql_and_no_duckdb() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert "duckdb" not in _imports(page), page
        assert ".execute(" not in text and ".sql(" not in text, page


def test_every_widget_in_pages_has_an_explicit_key() -> None:
    missing = []
    for page in PAGES + [ROOT / "csq" / m for m in UI_MODULES]:
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS:
                if not any(k.arg == "key" for k in node.keywords):
                    missing.append(f"{page.name}:{node.lineno} {node.func.attr}")
    assert missing == []


def test_public_functions_have_a_docstring() -> None:
    missing = []
    for path in CSQ:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = list(tree.body) + [n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body]
        for node in top:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                if ast.get_docstring(node) is None:
                    missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert missing == []


def test_modules_stay_small() -> None:
    big = [f"{p.name}: {n}" for p in CSQ if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450]
    assert big == []
