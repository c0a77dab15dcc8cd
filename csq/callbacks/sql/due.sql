-- Callbacks that need a second callback and have none made yet (SPEC §4d): due until called_at + the
-- follow-up days, overdue after that as of the data. Each with why it needs one.
WITH f AS ({flags})
SELECT callback_id, agent, team, customer_id, customer_name, customer_phone, planned_for, called_at, result,
    satisfied, attitude_ok, issue_open, open_issue, second_due,
    coalesce(second_due < CAST({as_of} AS TIMESTAMP), false) AS overdue
FROM f
WHERE needs_second AND second_at IS NULL
ORDER BY second_due, agent, callback_id
