-- Breached or overdue tickets, worst first. {condition} and {overdue} come from an allow-list in
-- csq/tickets.py; a breach names the ticket's limits that were missed, whichever list it is on.
WITH s AS (
    {sla}
)
SELECT ticket_id, created_at, channel, type, priority, category, team, agent,
    customer_name, customer_phone, customer_id, first_response_at, resolved_at,
    frt_limit_min, res_limit_min,
    frt_us / 60000000.0 AS frt_minutes,
    art_us / 3600000000.0 AS res_hours,
    CASE WHEN frt_over_us > 0 AND res_over_us > 0 THEN 'both'
         WHEN frt_over_us > 0 THEN 'first_response'
         WHEN res_over_us > 0 THEN 'resolution' END AS breach,
    ({overdue}) / 3600000000.0 AS overdue_by_h
FROM s
WHERE {condition}
ORDER BY overdue_by_h DESC, created_at, ticket_id
LIMIT ?
