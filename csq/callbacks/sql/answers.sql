-- The callbacks made in the period (first and second), newest first, with the four answers and whether each
-- needs a second callback; the period is the quarter or month of planned_for (else of the call).
WITH f AS ({flags})
SELECT callback_id, follow_up_of, agent, coalesce(c.team, a.team) AS team, customer_id, customer_name,
    customer_phone, planned_for, called_at, result, satisfied, suggestion, attitude_ok, open_issue, issue_open,
    needs_second, second_at
FROM f c
LEFT JOIN agents_current a ON a.agent = c.agent
WHERE called_at IS NOT NULL AND {where}
ORDER BY called_at DESC, callback_id
