-- Action on-time rate: cancelled actions never count; an action counts once it is completed or
-- its due date has passed as of the data (overdue); it is on time when completed by its due date.
-- _csq_scope holds each action's dimensions, parsed from its scope text in Python.
WITH base AS (
    SELECT {groups}
        a.completed_at IS NOT NULL AND a.completed_at <= a.due_date AS on_time
    FROM actions_current a
    LEFT JOIN _csq_scope sc ON sc.action_id = a.action_id
    WHERE a.status <> 'cancelled'
      AND a.due_date IS NOT NULL
      AND (a.completed_at IS NOT NULL OR a.due_date < CAST({as_of} AS DATE))
      AND {where}
)
SELECT {group_names}
    count_if(on_time) / nullif(count(*), 0) AS action_on_time_rate,
    count(*) AS n_action_on_time_rate
FROM base
GROUP BY ALL
