-- SLA limits per (channel, type, priority) combination present in the tickets (SPEC section 4):
-- each limit comes from the most specific matching rule that sets that limit; a tie goes to the
-- lowest position. Few combinations exist, so matching them is cheaper than matching tickets.
WITH combos AS (
    SELECT DISTINCT channel, type, priority FROM tickets_current
),
matched AS (
    SELECT c.channel, c.type, c.priority, r.position, r.first_response_min, r.resolution_min,
           CAST(r.channel IS NOT NULL AS INTEGER) + CAST(r.type IS NOT NULL AS INTEGER)
             + CAST(r.priority IS NOT NULL AS INTEGER) AS specificity
    FROM combos c
    JOIN sla_rules r
      ON (r.channel IS NULL OR r.channel = c.channel)
     AND (r.type IS NULL OR r.type = c.type)
     AND (r.priority IS NULL OR r.priority = c.priority)
),
frt AS (
    SELECT channel, type, priority, first_response_min AS frt_limit_min
    FROM matched
    WHERE first_response_min IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY channel, type, priority ORDER BY specificity DESC, position) = 1
),
res AS (
    SELECT channel, type, priority, resolution_min AS res_limit_min
    FROM matched
    WHERE resolution_min IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY channel, type, priority ORDER BY specificity DESC, position) = 1
)
SELECT c.channel, c.type, c.priority, frt.frt_limit_min, res.res_limit_min
FROM combos c
LEFT JOIN frt ON frt.channel = c.channel AND frt.type = c.type AND frt.priority = c.priority
LEFT JOIN res ON res.channel = c.channel AND res.type = c.type AND res.priority = c.priority
