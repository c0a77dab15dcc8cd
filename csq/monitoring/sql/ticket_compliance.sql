-- SLA met and breached counts per group; tickets inside their limit or without one are left out,
-- as in frt_sla_rate and resolution_sla_rate. count(*) FILTER, not count_if: DuckDB's count_if
-- gives NULL, not 0, when every input is NULL. {group} comes from an allow-list in csq/tickets.py.
WITH s AS (
    {sla}
),
agg AS (
    SELECT {group} AS "group",
        count(*) FILTER (WHERE frt_over_us <= 0) AS frt_met,
        count(*) FILTER (WHERE frt_over_us > 0) AS frt_breached,
        count(*) FILTER (WHERE res_over_us <= 0) AS res_met,
        count(*) FILTER (WHERE res_over_us > 0) AS res_breached
    FROM s
    GROUP BY ALL
)
SELECT "group", frt_met, frt_breached, frt_met / nullif(frt_met + frt_breached, 0) AS frt_rate,
    res_met, res_breached, res_met / nullif(res_met + res_breached, 0) AS res_rate
FROM agg
ORDER BY list_position({order}, "group") NULLS LAST, "group" NULLS LAST
