-- Telephony indicators (SPEC §3) over inbound calls, each in the month of queued_at. A call that
-- ended without an answer was abandoned; a short abandon ended within the short-abandon threshold
-- of its queue time and is not offered. An answered call waits from queued_at to answered_at, never
-- less than 0: an answer up to 5 s before the queue time is two clocks disagreeing. Both thresholds
-- are inclusive, in seconds, and bound. Handle time is talk + hold + after-call work, a missing part 0.
WITH base AS (
    SELECT {groups}
        c.answered_at IS NOT NULL AS answered,
        c.answered_at IS NULL AND c.ended_at IS NOT NULL AS abandoned,
        (epoch_us(c.ended_at) - epoch_us(c.queued_at)) / 1000000.0 AS queued_s,
        CASE WHEN c.answered_at IS NOT NULL
            THEN greatest(epoch_us(c.answered_at) - epoch_us(c.queued_at), 0) / 1000000.0 END AS wait_s,
        CASE WHEN c.answered_at IS NOT NULL
            THEN coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) END AS handle_s
    FROM calls_current c
    LEFT JOIN agents_current a ON a.agent = c.agent
    LEFT JOIN {ticket_source} t ON t.ticket_id = c.ticket_id
    WHERE c.direction = 'inbound' AND {where}
),
offered AS (
    SELECT * FROM base WHERE NOT (abandoned AND queued_s <= {short_abandon_s})
)
SELECT {group_names}
    count(*) AS calls_offered, count(*) AS n_calls_offered,
    count_if(answered) / nullif(count(*), 0) AS answer_rate, count(*) AS n_answer_rate,
    count_if(abandoned) / nullif(count(*), 0) AS abandon_rate, count(*) AS n_abandon_rate,
    count_if(answered AND wait_s <= {service_level_s}) / nullif(count(*), 0) AS service_level,
    count(*) AS n_service_level,
    avg(wait_s) AS asa_s, count(wait_s) AS n_asa_s,
    avg(handle_s) AS aht_s, count(handle_s) AS n_aht_s
FROM offered
GROUP BY ALL
