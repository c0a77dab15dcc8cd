-- Open tickets as of the latest data (not resolved, not closed, created by then), with their age in hours
-- and how far past each SLA limit they already are, in minutes (NULL: no limit, met, or not yet due).
-- A first-response limit only counts while the ticket has no first response.
WITH lim AS (
    {limits}
),
open_tickets AS (
    SELECT t.ticket_id, t.created_at, t.channel, t.type, t.priority, t.team, t.agent, t.first_response_at,
        l.frt_limit_min, l.res_limit_min,
        (epoch_us(CAST({as_of} AS TIMESTAMP)) - epoch_us(t.created_at)) / 60000000.0 AS age_min
    FROM tickets_current t
    LEFT JOIN lim l ON l.channel = t.channel AND l.type = t.type AND l.priority = t.priority
    WHERE t.resolved_at IS NULL AND t.closed_at IS NULL AND t.created_at <= CAST({as_of} AS TIMESTAMP)
      AND {where}
)
SELECT *,
    CASE WHEN first_response_at IS NULL AND frt_limit_min IS NOT NULL AND age_min > frt_limit_min
         THEN age_min - frt_limit_min END AS frt_over_min,
    CASE WHEN res_limit_min IS NOT NULL AND age_min > res_limit_min
         THEN age_min - res_limit_min END AS res_over_min
FROM open_tickets
