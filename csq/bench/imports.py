"""`python -m csq bench`: import speed against DuckDB's own CSV reader, and indicator speed."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from csq.bench.clock import clock_costs
from csq.bench.effect import effect_costs
from csq.ingest.importer import import_file
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import open_store

_GEN_SQL = """
COPY (
  SELECT 'GD' || lpad(CAST(i AS VARCHAR), 9, '0') AS 工单编号,
         strftime(TIMESTAMP '2025-01-01' + to_seconds(CAST(i * 2.5 AS BIGINT)), '%Y/%-m/%-d %-H:%M:%S') AS 受理时间,
         strftime(TIMESTAMP '2025-01-01' + to_seconds(CAST(i * 2.5 AS BIGINT) + 20 + (CAST(hash(i) % 1000000007 AS BIGINT) % 600)),
                  '%Y/%-m/%-d %-H:%M:%S') AS 首次响应时间,
         CASE WHEN CAST(hash(i) % 1000000007 AS BIGINT) % 10 < 8 THEN strftime(TIMESTAMP '2025-01-01' +
              to_seconds(CAST(i * 2.5 AS BIGINT) + 3600 + (CAST(hash(i * 7) % 1000000007 AS BIGINT) % 200000)), '%Y/%-m/%-d %-H:%M:%S') END AS 办结时间,
         ['电话', '在线客服', '邮件', '微信', '网页', '上门服务'][1 + CAST(hash(i * 3) % 1000000007 AS BIGINT) % 6] AS 渠道,
         ['咨询', '投诉', '售后服务', '技术支持', '建议'][1 + CAST(hash(i * 5) % 1000000007 AS BIGINT) % 5] AS 业务类型,
         ['紧急', '高', '中', '低'][1 + CAST(hash(i * 11) % 1000000007 AS BIGINT) % 4] AS 紧急程度,
         ['账单查询', '账号登录', '物流配送', '退换货', '产品故障'][1 + CAST(hash(i * 13) % 1000000007 AS BIGINT) % 5] AS 问题分类,
         '坐席' || CAST(CAST(hash(i * 17) % 1000000007 AS BIGINT) % 60 AS VARCHAR) AS 处理坐席,
         ['一组', '二组', '三组', '售后组', '技术组', '投诉组'][1 + CAST(hash(i * 19) % 1000000007 AS BIGINT) % 6] AS 所属班组,
         '13' || lpad(CAST(CAST(hash(i * 23) % 1000000007 AS BIGINT) % 1000000000 AS VARCHAR), 9, '0') AS 客户电话,
         1 + CAST(hash(i * 29) % 1000000007 AS BIGINT) % 3 AS 联系次数,
         CASE WHEN CAST(hash(i * 31) % 1000000007 AS BIGINT) % 20 = 0 THEN 1 ELSE 0 END AS 重开次数,
         CASE WHEN CAST(hash(i * 37) % 1000000007 AS BIGINT) % 30 = 0 THEN '是' ELSE '否' END AS 是否升级
  FROM range($n) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""


def make_ticket_csv(path: Path, n: int) -> None:
    """Write a realistic n-row ticket export (Chinese headers, UTF-8) to path."""
    con = duckdb.connect()
    try:
        con.execute(_GEN_SQL.replace("{path}", str(path).replace("'", "''")), {"n": n})
    finally:
        con.close()


# The import alone, as `csq import` runs it but without what the CLI does after it (the ticket facts rebuild).
_IMPORT_ONLY = ("import sys; from pathlib import Path; from csq.store import open_store; "
                "from csq.ingest.importer import import_files; s = open_store(Path(sys.argv[1])); "
                "r = import_files(s, [Path(sys.argv[2])], 'tickets')[0]; s.close(); sys.exit(r.status != 'committed')")
_READ_CSV = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
             "con.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?)\", [sys.argv[2]]); con.close()")


# Linux keeps a process's peak memory across fork and exec, so a command started straight from this (large)
# process would report this process's size. A small Python in between starts it and reports its usage.
_TRAMPOLINE = ("import json, os, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
               "_, status, u = os.wait4(p.pid, 0); "
               "print(json.dumps([status, time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024]))")


def _child_cost(cmd: list[str]) -> tuple[float, float, float]:
    """Return (wall s, CPU s, peak MB) of a command, its own children included (wait4 folds them in)."""
    out = subprocess.run([sys.executable, "-c", _TRAMPOLINE, *cmd], capture_output=True, text=True, check=True)
    status, wall, cpu, peak = json.loads(out.stdout)
    if status != 0:
        raise RuntimeError(f"{cmd[:4]} exited with status {status}")
    return wall, cpu, peak


def import_costs(csv_path: Path, folder: Path, rounds: int = 2) -> dict[str, object]:
    """Return import against DuckDB's read_csv of the same file, each a fresh process, alternating, best of rounds.

    CPU counts every process of the command (csq's reading process too); peak memory is the largest one's.
    `csq import` is timed whole, and the import alone (import_files, without the CLI's facts rebuild).
    """
    best: dict[str, tuple[float, float, float]] = {}
    for i in range(rounds):
        for name, cmd in (
                ("read_csv", [sys.executable, "-c", _READ_CSV, str(folder / f"plain{i}.duckdb"), str(csv_path)]),
                ("csq", [sys.executable, "-m", "csq", "import", str(csv_path), "--kind", "tickets",
                         "--db", str(folder / f"cli{i}.duckdb")]),
                ("alone", [sys.executable, "-c", _IMPORT_ONLY, str(folder / f"alone{i}.duckdb"), str(csv_path)])):
            got = _child_cost(cmd)
            old = best.get(name)
            best[name] = got if old is None else (min(old[0], got[0]), min(old[1], got[1]), min(old[2], got[2]))
    (dw, dc, dm), (cw, cc, cm), (aw, ac, am) = best["read_csv"], best["csq"], best["alone"]
    return {"import_cli_wall_s": round(cw, 2), "read_csv_cli_wall_s": round(dw, 2),
            "import_cpu_s": round(cc, 2), "read_csv_cpu_s": round(dc, 2),
            "import_cpu_vs_read_csv": round(cc / dc, 1) if dc else None,
            "import_peak_mb": round(cm), "read_csv_peak_mb": round(dm),
            "import_memory_vs_read_csv": round(cm / dm, 1) if dm else None,
            "import_alone_wall_s": round(aw, 2), "import_alone_cpu_s": round(ac, 2),
            "import_alone_cpu_vs_read_csv": round(ac / dc, 1) if dc else None, "import_alone_peak_mb": round(am),
            "import_alone_memory_vs_read_csv": round(am / dm, 1) if dm else None}


def import_figures(tickets: int = 1_000_000, rounds: int = 2) -> dict[str, object]:
    """Return only the import figures of run_bench (import_costs) on a generated file: a quick try of the import."""
    with tempfile.TemporaryDirectory(prefix="csq-bench-") as tmp:
        csv_path = Path(tmp) / f"tickets_{tickets}.csv"
        make_ticket_csv(csv_path, tickets)
        return {"tickets": tickets, "file_mb": round(csv_path.stat().st_size / 1e6, 1),
                **import_costs(csv_path, Path(tmp), rounds)}


if __name__ == "__main__":  # python -m csq.bench.imports [TICKETS [ROUNDS]]: the import figures alone
    print(json.dumps(import_figures(*(int(a) for a in sys.argv[1:3])), indent=2))


def run_bench(tickets: int = 1_000_000) -> dict[str, object]:
    """Return timings (seconds) of csq's import and DuckDB's read_csv on the same generated file."""
    with tempfile.TemporaryDirectory(prefix="csq-bench-") as tmp:
        folder = Path(tmp)
        csv_path = folder / f"tickets_{tickets}.csv"
        t0 = time.perf_counter()
        make_ticket_csv(csv_path, tickets)
        t_gen = time.perf_counter() - t0
        size_mb = round(csv_path.stat().st_size / 1e6, 1)

        t0 = time.perf_counter()
        con = duckdb.connect(str(folder / "plain.duckdb"))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        con.close()
        t_duck = time.perf_counter() - t0

        store = open_store(folder / "csq.duckdb")
        t0 = time.perf_counter()
        res = import_file(store, csv_path, "tickets")
        t_import = time.perf_counter() - t0
        if res.status != "committed":
            raise RuntimeError(f"bench import was {res.status}: {res.message}")

        t0 = time.perf_counter()
        compute(store, Filter(), by=["month"])
        t_kpi_month = time.perf_counter() - t0
        t0 = time.perf_counter()
        compute(store, Filter(where=(("channel", ("phone",)),)), by=["team"])
        t_kpi_team = time.perf_counter() - t0
        effects = effect_costs(store)  # before clock_costs: it adds 5 actions; clock_costs then switches the rules
        clocks = clock_costs(store)  # last: it switches the rules to a business calendar and adds events
        store.close()
        processes = import_costs(csv_path, folder)
    return {
        "tickets": tickets,
        "file_mb": size_mb,
        "generate_s": round(t_gen, 2),
        "duckdb_read_csv_s": round(t_duck, 2),
        "csq_import_s": round(t_import, 2),
        "import_vs_read_csv": round(t_import / t_duck, 1) if t_duck else None,
        **processes,
        "kpi_all_by_month_s": round(t_kpi_month, 2),
        "kpi_phone_by_team_s": round(t_kpi_team, 2),
        **effects,
        **clocks,
    }
