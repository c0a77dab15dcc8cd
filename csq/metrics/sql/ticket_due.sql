-- Every ticket of a clock source with the moment each SLA limit falls due on its calendar: the moment
-- B(ts) reaches B(created_at) + limit, found with an ASOF join on the cumulative open time of the
-- calendar's spans. A clock that has been paused has no fixed due moment (it moves with each pause), so
-- it is NULL there and the clock columns tell how much is used. The ticket facts table is this query
-- over every ticket; ticket_limits.sql reads its columns. Only the tickets with a business-calendar limit
-- to place are ASOF-joined, and only their id and targets: an ASOF join sorts what it is given, and every
-- ticket with all its columns cost three times the clock itself. ticket_id is a key, so the join back is 1:1.
WITH tc AS (
    SELECT * FROM {clock} t
),
targets AS (
    SELECT ticket_id, frt_cal, res_cal,
        frt_b0 + CAST(round(frt_limit_us) AS BIGINT) AS frt_target,
        res_b0 + CAST(round(res_limit_us) AS BIGINT) AS res_target
    FROM tc
    WHERE (frt_cal <> '24x7' AND frt_limit_us IS NOT NULL AND frt_paused_us = 0)
       OR (res_cal <> '24x7' AND res_limit_us IS NOT NULL AND res_paused_us = 0)
),
due AS (
    SELECT x.ticket_id,
        TIMESTAMP '1970-01-01 00:00:00' + to_microseconds(kf.start_us + x.frt_target - kf.cum_us) AS frt_biz,
        TIMESTAMP '1970-01-01 00:00:00' + to_microseconds(kr.start_us + x.res_target - kr.cum_us) AS res_biz
    FROM targets x
    ASOF LEFT JOIN _csq_cal kf ON kf.cal = x.frt_cal AND x.frt_target > kf.cum_us
    ASOF LEFT JOIN _csq_cal kr ON kr.cal = x.res_cal AND x.res_target > kr.cum_us
)
SELECT t.*,
    CASE WHEN t.frt_limit_us IS NULL OR t.frt_paused_us > 0 THEN NULL
         WHEN t.frt_cal = '24x7' THEN t.created_at + to_microseconds(CAST(round(t.frt_limit_us) AS BIGINT))
         ELSE greatest(t.created_at, d.frt_biz) END AS frt_due_at,
    CASE WHEN t.res_limit_us IS NULL OR t.res_paused_us > 0 THEN NULL
         WHEN t.res_cal = '24x7' THEN t.created_at + to_microseconds(CAST(round(t.res_limit_us) AS BIGINT))
         ELSE greatest(t.created_at, d.res_biz) END AS res_due_at
FROM tc t
LEFT JOIN due d ON d.ticket_id = t.ticket_id
