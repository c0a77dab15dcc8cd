-- A quarter's plan per engineer: planned callbacks, those due as of the data, made, reached, satisfied; the
-- callbacks that need a second one, and those that got it (on time or not).
WITH f AS ({flags})
SELECT c.agent, any_value(coalesce(c.team, a.team)) AS team,
    -- count_if over nothing but NULLs gives NULL, so every condition is made TRUE or FALSE
    count_if(c.planned) AS planned,
    count_if(coalesce(c.planned AND c.plan_passed, false)) AS due,
    count_if(c.planned AND c.called_at IS NOT NULL) AS made,
    count_if(coalesce(c.planned AND c.result = 'reached', false)) AS reached,
    count_if(coalesce(c.planned AND c.result = 'reached' AND c.satisfied, false)) AS satisfied,
    count_if(c.needs_second) AS needs_second,
    count_if(c.needs_second AND c.second_at IS NOT NULL) AS seconds_made,
    count_if(coalesce(c.needs_second AND c.second_at IS NULL AND c.limit_passed, false)) AS seconds_overdue
FROM f c
LEFT JOIN agents_current a ON a.agent = c.agent
WHERE c.follow_up_of IS NULL AND c.planned_for >= {quarter_start} AND c.planned_for <= {quarter_end}
GROUP BY c.agent
ORDER BY c.agent
