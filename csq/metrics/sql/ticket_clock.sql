-- Every ticket in the filter with its SLA clocks (SPEC section 4a). A clock is the open time of its
-- limit's calendar between created_at and the event (first response, resolution) or, while that has not
-- happened, the as-of moment, less the time spent in a pause status. B(ts), the open microseconds of a
-- calendar before ts, is the open time before ts's date plus the open part of that date up to ts: one
-- equality join per moment on (calendar, date) against _csq_days ({frt_b0} and the like are that sum,
-- written by csq.metrics.opening_hours.business_sql). On 24x7 B(ts) = ts.
-- frt_elapsed_us / res_elapsed_us are the clocks; frt_limit_us / res_limit_us the limits (NULL: none).
WITH lim AS (
    {limits}
),
tk AS (
    SELECT t.*,
        l.frt_limit_min * 60000000.0 AS frt_limit_us,
        l.res_limit_min * 60000000.0 AS res_limit_us,
        coalesce(l.frt_cal, '24x7') AS frt_cal,
        coalesce(l.res_cal, '24x7') AS res_cal,
        coalesce(l.frt_pause, FALSE) AS frt_pause,
        epoch_us(t.created_at) AS c_us,
        epoch_us(coalesce(t.first_response_at, CAST({as_of} AS TIMESTAMP))) AS fe_us,
        epoch_us(coalesce(t.resolved_at, CAST({as_of} AS TIMESTAMP))) AS re_us
    FROM tickets_current t
    LEFT JOIN lim l ON l.channel = t.channel AND l.type = t.type AND l.priority = t.priority
    WHERE {where}
),
ev AS (
    -- Status intervals: each event's status holds until the ticket's next event (keys are unique, so
    -- the order is strict; the later file row already won a tie at import).
    SELECT e.ticket_id, e.status, epoch_us(e.event_at) AS a_us,
        lead(epoch_us(e.event_at)) OVER (PARTITION BY e.ticket_id ORDER BY e.event_at) AS b_us
    FROM {events} e
    WHERE e.ticket_id IN (SELECT ticket_id FROM tk)
),
spans AS (
    -- Each pause interval clipped to the part of a clock it stops: the resolution clock always, the
    -- first-response clock when its rule says so.
    SELECT tk.ticket_id, 'f' AS clock, tk.frt_cal AS cal,
        greatest(ev.a_us, tk.c_us) AS a, least(coalesce(ev.b_us, tk.fe_us), tk.fe_us) AS b
    FROM ev JOIN tk ON tk.ticket_id = ev.ticket_id
    WHERE ev.status IN ({pause}) AND tk.frt_pause
    UNION ALL
    SELECT tk.ticket_id, 'r' AS clock, tk.res_cal AS cal,
        greatest(ev.a_us, tk.c_us) AS a, least(coalesce(ev.b_us, tk.re_us), tk.re_us) AS b
    FROM ev JOIN tk ON tk.ticket_id = ev.ticket_id
    WHERE ev.status IN ({pause})
),
clipped AS (
    SELECT * FROM spans WHERE b > a
),
paused AS (
    SELECT s.ticket_id, s.clock, sum({pause_b} - {pause_a}) AS paused_us
    FROM clipped s
    LEFT JOIN _csq_days da ON da.cal = s.cal AND da.day = s.a // 86400000000
    LEFT JOIN _csq_days db ON db.cal = s.cal AND db.day = s.b // 86400000000
    GROUP BY s.ticket_id, s.clock
),
paused_now AS (
    SELECT DISTINCT ticket_id FROM ev
    WHERE status IN ({pause}) AND a_us <= epoch_us(CAST({as_of} AS TIMESTAMP))
      AND (b_us IS NULL OR b_us > epoch_us(CAST({as_of} AS TIMESTAMP)))
),
clocked AS (
    SELECT tk.*,
        {frt_b0} AS frt_b0, {frt_b1} AS frt_b1, {res_b0} AS res_b0, {res_b1} AS res_b1
    FROM tk
    LEFT JOIN _csq_days d1 ON d1.cal = tk.frt_cal AND d1.day = tk.c_us // 86400000000
    LEFT JOIN _csq_days d2 ON d2.cal = tk.frt_cal AND d2.day = tk.fe_us // 86400000000
    LEFT JOIN _csq_days d3 ON d3.cal = tk.res_cal AND d3.day = tk.c_us // 86400000000
    LEFT JOIN _csq_days d4 ON d4.cal = tk.res_cal AND d4.day = tk.re_us // 86400000000
)
SELECT c.*,
    c.frt_b1 - c.frt_b0 - coalesce(pf.paused_us, 0) AS frt_elapsed_us,
    c.res_b1 - c.res_b0 - coalesce(pr.paused_us, 0) AS res_elapsed_us,
    coalesce(pf.paused_us, 0) AS frt_paused_us,
    coalesce(pr.paused_us, 0) AS res_paused_us,
    pn.ticket_id IS NOT NULL AS paused_now
FROM clocked c
LEFT JOIN paused pf ON pf.ticket_id = c.ticket_id AND pf.clock = 'f'
LEFT JOIN paused pr ON pr.ticket_id = c.ticket_id AND pr.clock = 'r'
LEFT JOIN paused_now pn ON pn.ticket_id = c.ticket_id
