-- The callbacks made in the period (first and second), newest first, with the four answers and whether each
-- needs a second callback; the period is the quarter or month of planned_for (else of the call).
WITH f AS ({flags})
SELECT c.callback_id, c.follow_up_of, c.agent, coalesce(c.team, a.team) AS team, c.customer_id, c.customer_name,
    c.customer_phone, c.planned_for, c.called_at, c.result, c.satisfied, c.suggestion, c.attitude_ok, c.open_issue,
    c.issue_open, c.needs_second, c.second_at
FROM f c
LEFT JOIN agents_current a ON a.agent = c.agent
WHERE c.called_at IS NOT NULL AND {where}
ORDER BY c.called_at DESC, c.callback_id
