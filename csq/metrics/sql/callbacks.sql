-- Callback indicators (SPEC §3), each in the quarter or month of planned_for, over the flags of
-- callback_flags.sql. Completion: planned callbacks (first callbacks of a plan) whose planned_for day has
-- passed as of, and of them those made. Satisfaction: reached callbacks (first or second) that answered the
-- service question. Follow-up on time: callbacks that need a second callback and whose limit has passed as
-- of, and of them those whose second callback was made within the limit.
WITH f AS ({flags}),
base AS (
    SELECT {groups}
        -- each flag TRUE or FALSE, never NULL: count_if over nothing but NULLs gives NULL, not 0
        coalesce(planned AND plan_passed, false) AS plan_due,
        called_at IS NOT NULL AS called,
        coalesce(result = 'reached' AND satisfied IS NOT NULL, false) AS sat_answered,
        coalesce(result = 'reached' AND satisfied, false) AS sat_yes,
        coalesce(needs_second AND limit_passed, false) AS followup_due,
        coalesce(second_on_time, false) AS second_on_time
    FROM f c
    LEFT JOIN agents_current a ON a.agent = c.agent
    WHERE {where}
)
SELECT {group_names}
    count_if(plan_due AND called) / nullif(count_if(plan_due), 0) AS callback_completion_rate,
    count_if(plan_due) AS n_callback_completion_rate,
    count_if(sat_yes) / nullif(count_if(sat_answered), 0) AS callback_satisfaction_rate,
    count_if(sat_answered) AS n_callback_satisfaction_rate,
    count_if(followup_due AND second_on_time) / nullif(count_if(followup_due), 0) AS callback_followup_on_time_rate,
    count_if(followup_due) AS n_callback_followup_on_time_rate
FROM base
GROUP BY ALL
