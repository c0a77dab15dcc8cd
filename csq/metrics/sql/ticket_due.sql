-- Every ticket of a clock source with the moment each SLA limit falls due on its calendar: the moment
-- B(ts) reaches B(created_at) + limit, found with an ASOF join on the cumulative open time of the
-- calendar's spans. A clock that has been paused has no fixed due moment (it moves with each pause), so
-- it is NULL there and the clock columns tell how much is used. The ticket facts table is this query
-- over every ticket; ticket_limits.sql reads its columns.
WITH tc AS (
    SELECT t.*,
        t.frt_b0 + CAST(round(t.frt_limit_us) AS BIGINT) AS frt_target,
        t.res_b0 + CAST(round(t.res_limit_us) AS BIGINT) AS res_target
    FROM {clock} t
)
SELECT t.* EXCLUDE (frt_target, res_target),
    CASE WHEN t.frt_limit_us IS NULL OR t.frt_paused_us > 0 THEN NULL
         WHEN t.frt_cal = '24x7' THEN t.created_at + to_microseconds(CAST(round(t.frt_limit_us) AS BIGINT))
         ELSE greatest(t.created_at, TIMESTAMP '1970-01-01 00:00:00'
                       + to_microseconds(kf.start_us + t.frt_target - kf.cum_us)) END AS frt_due_at,
    CASE WHEN t.res_limit_us IS NULL OR t.res_paused_us > 0 THEN NULL
         WHEN t.res_cal = '24x7' THEN t.created_at + to_microseconds(CAST(round(t.res_limit_us) AS BIGINT))
         ELSE greatest(t.created_at, TIMESTAMP '1970-01-01 00:00:00'
                       + to_microseconds(kr.start_us + t.res_target - kr.cum_us)) END AS res_due_at
FROM tc t
ASOF LEFT JOIN _csq_cal kf ON kf.cal = t.frt_cal AND t.frt_target > kf.cum_us
ASOF LEFT JOIN _csq_cal kr ON kr.cal = t.res_cal AND t.res_target > kr.cum_us
