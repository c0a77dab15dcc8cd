"""`python -m csq settings export FILE.json` and `settings import FILE.json` (SPEC §6)."""
from __future__ import annotations

import argparse
from pathlib import Path

from csq.errors import InputRefused

_MAX_BYTES = 1_000_000  # a settings file is a few kilobytes; anything far larger is not one


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `settings` command with its export and import actions."""
    p = sub.add_parser("settings", parents=[common], help="export or import every setting as one JSON file")
    p.add_argument("action", choices=["export", "import"])
    p.add_argument("file", metavar="FILE.json")
    p.set_defaults(func=run)


def _read(path: Path) -> str:
    """Return the settings file's text, or raise InputRefused when it is missing, huge or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise InputRefused(f"{path}: {size:,} bytes is far larger than a settings file.",
                               "Export one with `python -m csq settings export FILE.json`.")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputRefused(f"{path} does not exist.", "Check the path.") from None
    except UnicodeDecodeError as exc:
        raise InputRefused(f"{path}: not UTF-8 text (byte {exc.start}).", "Save the file as UTF-8 JSON.") from None


def run(args: argparse.Namespace) -> int:
    """Export or import the settings; return the exit code (2 when a file is refused, nothing changed)."""
    from csq.cli.common import open_for, print_json, writing
    from csq.store import settings_file

    path = Path(args.file)
    if args.action == "export":
        store = open_for(args, read_only=True)
        try:
            doc = settings_file.export_settings(store)
        finally:
            store.close()
        path.write_text(settings_file.dump(doc), encoding="utf-8")
        if args.json:
            print_json({"status": "exported", "file": str(path), "sections": list(doc)})
        else:
            print(f"Settings written to {path}: {', '.join(doc)}.")
        return 0
    text = _read(path)
    with writing(args) as store:
        sections = settings_file.import_settings(store, text, str(path))
    if args.json:
        print_json({"status": "imported", "file": str(path), "sections": sections})
    else:
        print(f"Settings imported from {path}: {', '.join(sections) or 'nothing'} replaced.")
    return 0
