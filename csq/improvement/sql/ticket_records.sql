-- Per-ticket indicator values for the effect check: the engine's per-ticket steps (ticket_flags.sql in
-- csq/metrics/sql, the ones its tickets.sql reads), then each indicator as that ticket alone would give
-- it (a group of one ticket): a duration is the ticket's own, a rate is 1.0, 0.0 or NULL (not counted), tickets is 1.
-- No GROUP BY: grouping a million tickets one by one costs a second. tests/store/test_effect_samples.py
-- checks every value against the engine's own SQL grouped by ticket. Durations are on the calendar
-- clock, the effect check's clock; the SLA flags follow each ticket's SLA clock as everywhere.
WITH {flags},
records AS (
    -- count_if(x) over one ticket is 1 when x is true and 0 otherwise (NULL included); count(x) is 0 when
    -- x is NULL, and the engine's nullif then makes the rate NULL.
    SELECT {group_names}
        CAST(1 AS DOUBLE) AS tickets,
        CAST(frt_min AS DOUBLE) AS frt_median_min,
        CAST(frt_min AS DOUBLE) AS frt_p90_min,
        CAST(frt_ok AS DOUBLE) AS frt_sla_rate,
        CAST(art_h AS DOUBLE) AS art_median_h,
        CAST(art_h AS DOUBLE) AS art_p90_h,
        CAST(res_ok AS DOUBLE) AS resolution_sla_rate,
        CAST(art_h IS NOT NULL AS DOUBLE) AS resolution_rate,
        CASE WHEN resolved AND contacts IS NOT NULL
             THEN CAST(coalesce(contacts <= 1 AND reopen_count = 0, FALSE) AS DOUBLE) END AS fcr_rate,
        CASE WHEN art_h IS NOT NULL THEN CAST(coalesce(reopen_count > 0, FALSE) AS DOUBLE) END AS reopen_rate,
        CAST(escalated AS DOUBLE) AS escalation_rate,
        CAST(coalesce(complaint, FALSE) AS DOUBLE) AS complaint_rate,
        CAST(c48_ok AS DOUBLE) AS complaint_response_rate_48h,
        CAST(c72_ok AS DOUBLE) AS complaint_resolution_rate_72h
    FROM flags
)
SELECT {columns}
FROM records
