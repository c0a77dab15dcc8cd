-- SLA breaches for the Pareto: tickets whose first response or resolution breached its limit,
-- counted once per ticket. The per-ticket flags come from the indicator engine's own ticket SQL
-- grouped by ticket, so a breach here is exactly a breach in frt_sla_rate / resolution_sla_rate.
SELECT g_category AS category, count(*) AS count
FROM (
    {per_ticket}
)
WHERE frt_sla_rate = 0 OR resolution_sla_rate = 0
GROUP BY ALL
