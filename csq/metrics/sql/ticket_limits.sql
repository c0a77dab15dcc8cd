-- Every ticket with the SLA limits that apply to it (minutes) and when each one falls due.
WITH lim AS (
    {limits}
)
SELECT t.ticket_id, t.created_at, t.first_response_at, t.resolved_at,
    t.channel, t.type, t.priority, t.team, t.agent,
    l.frt_limit_min, l.res_limit_min,
    t.created_at + to_microseconds(CAST(round(l.frt_limit_min * 60000000) AS BIGINT)) AS frt_due_at,
    t.created_at + to_microseconds(CAST(round(l.res_limit_min * 60000000) AS BIGINT)) AS res_due_at
FROM tickets_current t
LEFT JOIN lim l ON l.channel = t.channel AND l.type = t.type AND l.priority = t.priority
WHERE {where}
ORDER BY t.created_at, t.ticket_id
