-- Draws per customer in the quarter's calendar year outside the quarter: a first callback in force (not
-- withdrawn), in the year of its planned_for (else of its call). `earlier` counts the quarters before this one.
SELECT customer_id, count(*) AS draws, count_if(day < {quarter_start}) AS earlier
FROM (
    SELECT trim(customer_id) AS customer_id, coalesce(planned_for, CAST(called_at AS DATE)) AS day
    FROM callbacks_current
    WHERE follow_up_of IS NULL AND NOT coalesce(withdrawn, false)
)
WHERE year(day) = {year} AND NOT (day >= {quarter_start} AND day <= {quarter_end})
GROUP BY customer_id
