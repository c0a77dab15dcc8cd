-- The tickets matching a filter with the SLA clock columns left NULL: for indicators that read no SLA
-- limit and no business time (counts, wall-clock durations, rates of flags), the rule matching and the
-- calendar joins are not paid when nothing reads them.
SELECT t.*,
    CAST(NULL AS BIGINT) AS frt_elapsed_us,
    CAST(NULL AS BIGINT) AS res_elapsed_us,
    CAST(NULL AS DOUBLE) AS frt_limit_us,
    CAST(NULL AS DOUBLE) AS res_limit_us
FROM tickets_current t
WHERE {where}
