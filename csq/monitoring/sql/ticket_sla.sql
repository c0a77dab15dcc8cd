-- Every ticket in the filter with how far past each SLA limit it is, in microseconds of its SLA clock
-- (SPEC section 4a: the rule's calendar, less pauses; the same flags as tickets.sql): from the response
-- or resolution when there is one, else from the clock as of the latest data. <= 0 is met, > 0
-- breached, NULL left out (no limit, or not yet answered and still inside the limit).
WITH base AS (
    SELECT t.ticket_id, t.created_at, t.channel, t.type, t.priority, t.category, t.team, t.agent,
        t.customer_name, t.customer_phone, t.customer_id, t.first_response_at, t.resolved_at,
        t.frt_limit_us / 60000000.0 AS frt_limit_min, t.res_limit_us / 60000000.0 AS res_limit_min,
        CASE WHEN t.first_response_at IS NOT NULL THEN t.frt_elapsed_us END AS frt_us,
        CASE WHEN t.resolved_at IS NOT NULL THEN t.res_elapsed_us END AS art_us,
        t.frt_elapsed_us, t.res_elapsed_us, t.frt_limit_us, t.res_limit_us, t.paused_now
    FROM {clock} t
)
SELECT *,
    CASE WHEN frt_limit_us IS NULL THEN NULL
         WHEN first_response_at IS NOT NULL OR frt_elapsed_us > frt_limit_us THEN frt_elapsed_us - frt_limit_us
         END AS frt_over_us,
    CASE WHEN res_limit_us IS NULL THEN NULL
         WHEN resolved_at IS NOT NULL OR res_elapsed_us > res_limit_us THEN res_elapsed_us - res_limit_us
         END AS res_over_us
FROM base
