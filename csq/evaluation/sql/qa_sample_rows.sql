-- The drawn tickets of one week's sample in force, for evaluators: the draw's columns, the ticket's fields
-- as they are now (customer fields included; the caller masks them for the role), and whether the ticket
-- has been evaluated since, with its latest evaluation.
SELECT s.week, s.agent, s.team, s.pick, s.reason, s.new_agent, s.ticket_id, s.created_at,
    t.channel, t.type, t.category, t.priority, t.escalated,
    t.customer_id, t.customer_name, t.customer_phone,
    coalesce(q.evaluations, 0) > 0 AS evaluated, q.last_evaluated_at,
    d.seed, d.drawn_at, d.drawn_by
FROM qa_samples_current s
JOIN qa_sample_draws d ON d.draw_id = s.draw_id
LEFT JOIN tickets_current t ON t.ticket_id = s.ticket_id
LEFT JOIN (SELECT ticket_id, count(DISTINCT evaluation_id) AS evaluations, max(evaluated_at) AS last_evaluated_at
           FROM qa_current WHERE ticket_id IS NOT NULL GROUP BY ticket_id) q ON q.ticket_id = s.ticket_id
WHERE s.week = ?
ORDER BY s.agent, s.pick
