-- A quarter's plan in force: its first callbacks (not withdrawn) planned for a day of the quarter.
SELECT callback_id, agent, team, customer_id, customer_name, customer_phone, planned_for, called_at, result,
    _batch_id AS batch_id
FROM callbacks_current
WHERE follow_up_of IS NULL AND NOT coalesce(withdrawn, false)
  AND planned_for >= {quarter_start} AND planned_for <= {quarter_end}
ORDER BY planned_for, agent, callback_id
