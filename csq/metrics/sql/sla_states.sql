-- Each ticket's SLA state per limit on its clock: met, breached, inside (not yet due) or none (no
-- limit), the same judgement as the flags of tickets.sql. Sorted by ticket, so two runs under
-- different settings line up row for row.
SELECT t.ticket_id,
    CASE WHEN t.frt_limit_us IS NULL THEN 'none'
         WHEN t.first_response_at IS NOT NULL THEN CASE WHEN t.frt_elapsed_us <= t.frt_limit_us THEN 'met' ELSE 'breached' END
         WHEN t.frt_elapsed_us > t.frt_limit_us THEN 'breached' ELSE 'inside' END AS frt_state,
    CASE WHEN t.res_limit_us IS NULL THEN 'none'
         WHEN t.resolved_at IS NOT NULL THEN CASE WHEN t.res_elapsed_us <= t.res_limit_us THEN 'met' ELSE 'breached' END
         WHEN t.res_elapsed_us > t.res_limit_us THEN 'breached' ELSE 'inside' END AS res_state
FROM {clock} t
ORDER BY t.ticket_id
