-- Open tickets at the end of each day by status (SPEC §2 ticket_events, §4a), for the tickets in the filter.
-- A ticket counts on day D when it is in a backlog status at the last moment of D, i.e. just before
-- D + 1 00:00: created before then, and its status is that of its latest event with event_at before
-- D + 1 (on equal times the later row wins); before its first event it is open. A ticket without events
-- is open from created_at until the first of resolved_at and closed_at. Only the backlog statuses
-- (bound from csq/monitoring/backlog.py: new, open, pending, on_hold) count; solved and closed do not.
-- Set-based: each ticket's status intervals [start_at, end_at) become +1 on the day of start_at and -1
-- on the day of end_at (an interval counts on the days D with start_at < D + 1 <= end_at), and a running
-- sum per status over the days of _csq_day_grid (csq/monitoring/backlog.py) gives the counts; every ticket
-- created before the last of those days ends is read, so those opened earlier count too.
WITH every_ticket AS (
    SELECT t.ticket_id, t.created_at,
        CASE WHEN t.resolved_at IS NULL THEN t.closed_at
             WHEN t.closed_at IS NULL OR t.resolved_at <= t.closed_at THEN t.resolved_at
             ELSE t.closed_at END AS done_at
    FROM tickets_current t
    WHERE {where} AND t.created_at < CAST({until} AS TIMESTAMP)
),
tk AS (
    -- A ticket without events that was done before the first day shown adds +1 and -1 before that day: it
    -- changes no count, and skipping it spares reading years of closed tickets.
    SELECT * FROM every_ticket
    WHERE done_at IS NULL OR done_at >= CAST({since} AS TIMESTAMP)
       OR ticket_id IN (SELECT ticket_id FROM ticket_events_current)
),
ev AS (
    SELECT e.ticket_id, e.event_at, e.status,
        lead(e.event_at) OVER (PARTITION BY e.ticket_id ORDER BY e.event_at, e._batch_id, e._row) AS next_at
    FROM ticket_events e
    JOIN tk ON tk.ticket_id = e.ticket_id
    WHERE e._superseded_by IS NULL
),
first_event AS (
    SELECT ticket_id, min(event_at) AS first_at FROM ev GROUP BY ticket_id
),
intervals AS (
    -- Open from created_at until the first event, or until resolved/closed when there is none.
    SELECT tk.ticket_id, 'open' AS status, tk.created_at AS start_at,
        CASE WHEN f.first_at IS NULL THEN tk.done_at ELSE f.first_at END AS end_at
    FROM tk
    LEFT JOIN first_event f ON f.ticket_id = tk.ticket_id
    UNION ALL
    -- Each event's status until the next event (NULL: still in it); nothing counts before created_at.
    SELECT ev.ticket_id, ev.status,
        CASE WHEN ev.event_at < tk.created_at THEN tk.created_at ELSE ev.event_at END AS start_at,
        ev.next_at AS end_at
    FROM ev
    JOIN tk ON tk.ticket_id = ev.ticket_id
),
counted AS (
    SELECT status, CAST(start_at AS DATE) AS start_day, CAST(end_at AS DATE) AS end_day
    FROM intervals
    WHERE end_at IS NULL OR CAST(end_at AS DATE) > CAST(start_at AS DATE)
),
deltas AS (
    SELECT day, status, sum(delta) AS delta
    FROM (
        SELECT start_day AS day, status, 1 AS delta FROM counted
        UNION ALL
        SELECT end_day AS day, status, -1 AS delta FROM counted WHERE end_day IS NOT NULL
    ) d
    GROUP BY day, status
),
days AS (
    SELECT day FROM _csq_day_grid
),
statuses (status, pos) AS (
    {statuses}
),
carried AS (
    -- What happened before the first day shown is that day's opening count.
    SELECT x.status, sum(x.delta) AS delta
    FROM deltas x
    WHERE x.day < (SELECT min(day) FROM days)
    GROUP BY x.status
),
per_day AS (
    SELECT d.day, s.status, s.pos,
        coalesce(x.delta, 0)
          + CASE WHEN d.day = (SELECT min(day) FROM days) THEN coalesce(c.delta, 0) ELSE 0 END AS delta
    FROM days d
    CROSS JOIN statuses s
    LEFT JOIN deltas x ON x.day = d.day AND x.status = s.status
    LEFT JOIN carried c ON c.status = s.status
)
SELECT day, status,
    CAST(sum(delta) OVER (PARTITION BY status ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
         AS BIGINT) AS tickets
FROM per_day
ORDER BY day, pos
