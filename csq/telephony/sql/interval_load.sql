-- The calls offered, handle time and answering agents per weekday and half-hour (SPEC §4e) of the
-- inbound calls queued in the window. A short abandon is not offered, as in calls.sql. agent_days
-- sums, over the days, the distinct agents who answered in the interval of that day.
WITH offered AS (
    SELECT
        isodow(c.queued_at) AS weekday,
        hour(c.queued_at) * 2 + CASE WHEN minute(c.queued_at) >= 30 THEN 1 ELSE 0 END AS slot,
        CAST(c.queued_at AS DATE) AS day,
        CASE WHEN c.answered_at IS NOT NULL THEN c.agent END AS answering_agent,
        CASE WHEN c.answered_at IS NOT NULL
            THEN coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) END AS handle_s
    FROM calls_current c
    WHERE c.direction = 'inbound' AND c.queued_at >= {start} AND c.queued_at < {end}
        AND NOT (c.answered_at IS NULL AND c.ended_at IS NOT NULL
                 AND (epoch_us(c.ended_at) - epoch_us(c.queued_at)) / 1000000.0 <= {short_abandon_s})
),
per_day AS (
    SELECT weekday, slot, day, count(DISTINCT answering_agent) AS agents
    FROM offered
    GROUP BY weekday, slot, day
),
agents AS (
    SELECT weekday, slot, CAST(sum(agents) AS DOUBLE) AS agent_days
    FROM per_day
    GROUP BY weekday, slot
)
SELECT o.weekday, o.slot, count(*) AS calls, sum(o.handle_s) AS handle_sum, count(o.handle_s) AS answered,
    max(a.agent_days) AS agent_days
FROM offered o
JOIN agents a ON a.weekday = o.weekday AND a.slot = o.slot
GROUP BY o.weekday, o.slot
ORDER BY o.weekday, o.slot
