-- ticket_clock.sql when every rule counts on 24x7 and no status history is stored: the clocks are
-- plain wall-clock time from created_at (the fast path; the same columns, nothing paused).
WITH lim AS (
    {limits}
)
SELECT t.*,
    l.frt_limit_min * 60000000.0 AS frt_limit_us,
    l.res_limit_min * 60000000.0 AS res_limit_us,
    coalesce(l.frt_cal, '24x7') AS frt_cal,
    coalesce(l.res_cal, '24x7') AS res_cal,
    coalesce(l.frt_pause, FALSE) AS frt_pause,
    epoch_us(t.created_at) AS frt_b0,
    epoch_us(t.created_at) AS res_b0,
    epoch_us(coalesce(t.first_response_at, CAST({as_of} AS TIMESTAMP))) - epoch_us(t.created_at) AS frt_elapsed_us,
    epoch_us(coalesce(t.resolved_at, CAST({as_of} AS TIMESTAMP))) - epoch_us(t.created_at) AS res_elapsed_us,
    CAST(0 AS BIGINT) AS frt_paused_us,
    CAST(0 AS BIGINT) AS res_paused_us,
    FALSE AS paused_now
FROM tickets_current t
LEFT JOIN lim l ON l.channel = t.channel AND l.type = t.type AND l.priority = t.priority
WHERE {where}
