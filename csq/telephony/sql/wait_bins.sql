-- How long the inbound calls offered waited (SPEC §7 Telephony): answered calls from queued_at to answered_at
-- (an answer up to 5 s early waits 0 s, as calls.sql), abandoned calls until they hung up. Short abandons are not
-- offered. The bin expression numbers the bins from 0: each is inclusive at its top edge (bound values), so the service-level
-- threshold is the top of a bin.
WITH base AS (
    SELECT
        c.answered_at IS NOT NULL AS answered,
        CASE WHEN c.answered_at IS NOT NULL
             THEN greatest(epoch_us(c.answered_at) - epoch_us(c.queued_at), 0) / 1000000.0
             ELSE (epoch_us(c.ended_at) - epoch_us(c.queued_at)) / 1000000.0 END AS wait_s
    FROM calls_current c
    LEFT JOIN agents_current a ON a.agent = c.agent
    LEFT JOIN {ticket_source} t ON t.ticket_id = c.ticket_id
    WHERE c.direction = 'inbound' AND (c.answered_at IS NOT NULL OR c.ended_at IS NOT NULL) AND {where}
)
SELECT {bin} AS bin, count_if(answered) AS answered, count_if(NOT answered) AS abandoned
FROM base
WHERE answered OR wait_s > {short_abandon_s}
GROUP BY 1
ORDER BY 1
