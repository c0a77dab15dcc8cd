"""House rules: csq stays headless, layers hold, no import cycles, pages stay thin, widgets have keys."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

from tests.support import ROOT

CSQ = sorted((ROOT / "csq").rglob("*.py"))
DASHBOARD = ROOT / "csq" / "dashboard"
PAGES = sorted((ROOT / "app_pages").glob("*.py")) + [ROOT / "app.py"]
WIDGETS = {"button", "download_button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider",
           "select_slider", "text_input", "number_input", "text_area", "date_input", "time_input", "file_uploader",
           "color_picker", "segmented_control", "pills", "data_editor", "form_submit_button", "feedback"}
# Streamlit's private machinery: the legacy pages/ mode and the script-run context behind it.
PRIVATE_STREAMLIT = ("streamlit.runtime", "PagesManager", "get_script_run_ctx", "uses_pages_directory")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_dashboard_package_imports_streamlit() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in CSQ
                 if any(n.split(".")[0] == "streamlit" for n in _imports(p)) and DASHBOARD not in p.parents]
    assert offenders == []


def test_no_private_streamlit_api_anywhere() -> None:
    files = CSQ + PAGES
    offenders = [f"{p.relative_to(ROOT)}: {word}" for p in files
                 for word in PRIVATE_STREAMLIT if word in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_no_folder_puts_streamlit_in_its_pages_mode() -> None:
    assert not (ROOT / "pages").exists(), "a pages/ folder beside app.py switches on Streamlit's legacy page mode"


def test_the_import_contracts_hold() -> None:
    proc = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_no_import_cycle_between_modules_even_inside_functions() -> None:
    graph = grimp.build_graph("csq", cache_dir=None)  # grimp reads every import statement, nested ones too
    modules = sorted(graph.modules)
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(m: str) -> None:  # Tarjan's strongly connected components
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in sorted(graph.find_modules_directly_imported_by(m)):
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            comp = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                comp.append(n)
                if n == m:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for m in modules:
        if m not in index:
            visit(m)
    assert cycles == []


def test_pages_hold_no_sql_and_no_duckdb() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert not any(n.split(".")[0] == "duckdb" for n in _imports(page)), page
        assert ".execute(" not in text and ".sql(" not in text, page


def test_every_widget_in_pages_and_the_dashboard_has_an_explicit_key() -> None:
    missing = []
    for page in PAGES + sorted(DASHBOARD.glob("*.py")):
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
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert missing == []


def test_modules_stay_small() -> None:
    files = CSQ + PAGES
    big = [f"{p.relative_to(ROOT)}: {n}" for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert big == []


def test_functions_stay_short() -> None:
    long = []
    for path in CSQ:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
