-- How many tickets in the filter have a status history (a current row in ticket_events), and how many tickets
-- there are: the page says whether the backlog follows recorded statuses or counts tickets open until resolved.
SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ticket_events_current e WHERE e.ticket_id = t.ticket_id))
        AS with_history,
    count(*) AS tickets
FROM tickets_current t
WHERE {where}
