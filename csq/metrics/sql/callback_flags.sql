-- One row per callback in force (a withdrawn planned row is no callback) with what the three callback
-- indicators and the due list read (SPEC §3, §4d). A first callback (no follow_up_of) needs a second one
-- when it was made (called_at) and was not reached, was refused, or the customer was not satisfied with the
-- service or the engineer's attitude, or named an issue still open. Its limit is called_at + the follow-up
-- days; it got its second callback when a callback naming it in follow_up_of was made, on time when that
-- was made by the limit. The moment that puts a callback in its quarter or month is planned_for (a callback
-- made without a plan: its call's day).
WITH cb AS (
    SELECT * FROM callbacks_current WHERE NOT coalesce(withdrawn, false)
),
second AS (
    SELECT follow_up_of, min(called_at) AS second_at
    FROM cb WHERE follow_up_of IS NOT NULL AND called_at IS NOT NULL
    GROUP BY follow_up_of
)
SELECT c.*,
    CAST(coalesce(c.planned_for, CAST(c.called_at AS DATE)) AS TIMESTAMP) AS moment,
    c.follow_up_of IS NULL AND c.planned_for IS NOT NULL AS planned,
    c.planned_for < CAST({as_of} AS DATE) AS plan_passed,
    coalesce(nullif(trim(c.open_issue), '') IS NOT NULL
             AND NOT list_contains({no_issue}, lower(trim(c.open_issue))), false) AS issue_open,
    c.follow_up_of IS NULL AND c.called_at IS NOT NULL AND (
        coalesce(c.result IN ('not_reached', 'refused'), false) OR coalesce(NOT c.satisfied, false)
        OR coalesce(NOT c.attitude_ok, false)
        OR coalesce(nullif(trim(c.open_issue), '') IS NOT NULL
                    AND NOT list_contains({no_issue}, lower(trim(c.open_issue))), false)) AS needs_second,
    c.called_at + to_days(CAST({days} AS INTEGER)) AS second_due,
    s.second_at,
    s.second_at IS NOT NULL AND s.second_at <= c.called_at + to_days(CAST({days} AS INTEGER)) AS second_on_time,
    c.called_at + to_days(CAST({days} AS INTEGER)) < CAST({as_of} AS TIMESTAMP) AS limit_passed
FROM cb c
LEFT JOIN second s ON s.follow_up_of = c.callback_id
