-- Every ticket in the filter with how far past each SLA limit it is, in microseconds (SPEC §3
-- frt_sla_rate / resolution_sla_rate, the same flags as tickets.sql): from the response or resolution
-- when there is one, else from its age as of the latest data. <= 0 is met, > 0 breached, NULL left out
-- (no limit, or not yet answered and still inside the limit).
WITH lim AS (
    {limits}
),
base AS (
    SELECT t.ticket_id, t.created_at, t.channel, t.type, t.priority, t.category, t.team, t.agent,
        t.customer_name, t.customer_phone, t.customer_id, t.first_response_at, t.resolved_at,
        l.frt_limit_min, l.res_limit_min,
        (epoch_us(t.first_response_at) - epoch_us(t.created_at)) AS frt_us,
        (epoch_us(t.resolved_at) - epoch_us(t.created_at)) AS art_us,
        (epoch_us(CAST({as_of} AS TIMESTAMP)) - epoch_us(t.created_at)) AS age_us,
        l.frt_limit_min * 60000000.0 AS frt_limit_us,
        l.res_limit_min * 60000000.0 AS res_limit_us
    FROM tickets_current t
    LEFT JOIN lim l ON l.channel = t.channel AND l.type = t.type AND l.priority = t.priority
    WHERE {where}
)
SELECT *,
    CASE WHEN frt_limit_us IS NULL THEN NULL
         WHEN frt_us IS NOT NULL THEN frt_us - frt_limit_us
         WHEN age_us > frt_limit_us THEN age_us - frt_limit_us END AS frt_over_us,
    CASE WHEN res_limit_us IS NULL THEN NULL
         WHEN art_us IS NOT NULL THEN art_us - res_limit_us
         WHEN age_us > res_limit_us THEN age_us - res_limit_us END AS res_over_us
FROM base
