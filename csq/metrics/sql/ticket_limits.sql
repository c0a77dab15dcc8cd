-- Every ticket with its SLA limits (minutes), its clocks and due moments, from ticket_due.sql or from the
-- ticket facts table that holds the same columns.
SELECT t.ticket_id, t.created_at, t.first_response_at, t.resolved_at,
    t.channel, t.type, t.priority, t.team, t.agent,
    t.frt_limit_us / 60000000.0 AS frt_limit_min, t.res_limit_us / 60000000.0 AS res_limit_min,
    t.frt_cal, t.res_cal, t.frt_elapsed_us, t.res_elapsed_us, t.frt_paused_us, t.res_paused_us,
    t.frt_due_at, t.res_due_at
FROM {due} t
ORDER BY t.created_at, t.ticket_id
