-- SLA limits per (channel, type, priority) combination present in the tickets (SPEC section 4):
-- each limit comes from the most specific matching rule that sets that limit; a tie goes to the
-- lowest position. The limit carries its rule's calendar, and the first-response limit whether pauses
-- stop it (SPEC section 4a). The rules are the registered table _csq_rules, so that a preview can
-- count with rules that are not saved yet. Few combinations exist: matching them is cheaper than
-- matching tickets.
WITH combos AS (
    SELECT DISTINCT channel, type, priority FROM tickets_current
),
matched AS (
    SELECT c.channel, c.type, c.priority, r.position, r.first_response_min, r.resolution_min,
           r.calendar, r.pause_first_response,
           CAST(r.channel IS NOT NULL AS INTEGER) + CAST(r.type IS NOT NULL AS INTEGER)
             + CAST(r.priority IS NOT NULL AS INTEGER) AS specificity
    FROM combos c
    JOIN _csq_rules r
      ON (r.channel IS NULL OR r.channel = c.channel)
     AND (r.type IS NULL OR r.type = c.type)
     AND (r.priority IS NULL OR r.priority = c.priority)
),
frt AS (
    SELECT channel, type, priority, first_response_min AS frt_limit_min, calendar AS frt_cal,
           pause_first_response AS frt_pause
    FROM matched
    WHERE first_response_min IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY channel, type, priority ORDER BY specificity DESC, position) = 1
),
res AS (
    SELECT channel, type, priority, resolution_min AS res_limit_min, calendar AS res_cal
    FROM matched
    WHERE resolution_min IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY channel, type, priority ORDER BY specificity DESC, position) = 1
)
SELECT c.channel, c.type, c.priority, frt.frt_limit_min, res.res_limit_min,
       coalesce(frt.frt_cal, '24x7') AS frt_cal, coalesce(frt.frt_pause, FALSE) AS frt_pause,
       coalesce(res.res_cal, '24x7') AS res_cal
FROM combos c
LEFT JOIN frt ON frt.channel = c.channel AND frt.type = c.type AND frt.priority = c.priority
LEFT JOIN res ON res.channel = c.channel AND res.type = c.type AND res.priority = c.priority
