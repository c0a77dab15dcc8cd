-- First contact resolution and CSAT of the tickets that inbound calls name, per queue of those calls (SPEC §7
-- Telephony). The calls are those of the filter, in the month of queued_at. A ticket named by calls of two
-- queues counts in both; named twice in one queue, once. fcr_rate is SPEC §3's over those tickets; csat_rate
-- SPEC §3's over the surveys linked to them, whatever month the survey was answered in.
WITH calls AS (
    SELECT c.queue, c.ticket_id
    FROM calls_current c
    LEFT JOIN agents_current a ON a.agent = c.agent
    LEFT JOIN {ticket_source} t ON t.ticket_id = c.ticket_id
    WHERE c.direction = 'inbound' AND {where}
),
named AS (
    SELECT DISTINCT c.queue, c.ticket_id FROM calls c JOIN {tickets} k ON k.ticket_id = c.ticket_id
),
volume AS (
    SELECT queue, count(*) AS calls,
        count_if(ticket_id IN (SELECT ticket_id FROM named)) AS calls_linked
    FROM calls GROUP BY queue
),
resolution AS (
    SELECT n.queue, count(*) AS tickets,
        count_if(k.resolved_at IS NOT NULL AND k.contacts IS NOT NULL AND k.contacts <= 1
                 AND k.reopen_count = 0) AS fcr_yes,
        count_if(k.resolved_at IS NOT NULL AND k.contacts IS NOT NULL) AS n_fcr
    FROM named n JOIN {tickets} k ON k.ticket_id = n.ticket_id
    GROUP BY n.queue
),
answers AS (
    SELECT n.queue, count_if(s.csat >= 4) AS csat_yes, count(s.csat) AS n_csat
    FROM named n JOIN surveys_current s ON s.ticket_id = n.ticket_id
    GROUP BY n.queue
)
SELECT v.queue, v.calls, v.calls_linked, coalesce(r.tickets, 0) AS tickets,
    r.fcr_yes / nullif(r.n_fcr, 0) AS fcr_rate, coalesce(r.n_fcr, 0) AS n_fcr,
    a.csat_yes / nullif(a.n_csat, 0) AS csat_rate, coalesce(a.n_csat, 0) AS n_csat
FROM volume v
LEFT JOIN resolution r ON r.queue IS NOT DISTINCT FROM v.queue
LEFT JOIN answers a ON a.queue IS NOT DISTINCT FROM v.queue
ORDER BY v.queue IS NULL, v.queue
