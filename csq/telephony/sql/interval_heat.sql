-- Service level and abandon rate per weekday and half-hour of queued_at (SPEC §7 Telephony), with the
-- same definitions and bound thresholds as calls.sql: short abandons are not offered.
WITH base AS (
    SELECT
        isodow(c.queued_at) AS weekday,
        hour(c.queued_at) * 2 + CASE WHEN minute(c.queued_at) >= 30 THEN 1 ELSE 0 END AS slot,
        c.answered_at IS NOT NULL AS answered,
        c.answered_at IS NULL AND c.ended_at IS NOT NULL AS abandoned,
        (epoch_us(c.ended_at) - epoch_us(c.queued_at)) / 1000000.0 AS queued_s,
        greatest(epoch_us(c.answered_at) - epoch_us(c.queued_at), 0) / 1000000.0 AS wait_s
    FROM calls_current c
    LEFT JOIN agents_current a ON a.agent = c.agent
    LEFT JOIN {ticket_source} t ON t.ticket_id = c.ticket_id
    WHERE c.direction = 'inbound' AND {where}
)
SELECT weekday, slot, count(*) AS offered,
    count_if(answered AND wait_s <= {service_level_s}) / nullif(count(*), 0) AS service_level,
    count_if(abandoned) / nullif(count(*), 0) AS abandon_rate
FROM base
WHERE NOT (abandoned AND queued_s <= {short_abandon_s})
GROUP BY weekday, slot
ORDER BY weekday, slot
