-- Open tickets as of a moment (not resolved, not closed, created by then), with their age in hours of
-- the wall clock and how far past each SLA limit they already are, in minutes of their SLA clock
-- (the rule's calendar, less pauses: SPEC section 4a; NULL: no limit, met, or not yet due).
-- A first-response limit only counts while the ticket has no first response.
SELECT t.ticket_id, t.created_at, t.channel, t.type, t.priority, t.team, t.agent, t.first_response_at,
    t.frt_limit_us / 60000000.0 AS frt_limit_min, t.res_limit_us / 60000000.0 AS res_limit_min,
    (epoch_us(CAST({as_of} AS TIMESTAMP)) - epoch_us(t.created_at)) / 60000000.0 AS age_min,
    CASE WHEN t.first_response_at IS NULL AND t.frt_limit_us IS NOT NULL AND t.frt_elapsed_us > t.frt_limit_us
         THEN (t.frt_elapsed_us - t.frt_limit_us) / 60000000.0 END AS frt_over_min,
    CASE WHEN t.res_limit_us IS NOT NULL AND t.res_elapsed_us > t.res_limit_us
         THEN (t.res_elapsed_us - t.res_limit_us) / 60000000.0 END AS res_over_min
FROM {clock} t
WHERE t.resolved_at IS NULL AND t.closed_at IS NULL AND t.created_at <= CAST({as_of} AS TIMESTAMP)
