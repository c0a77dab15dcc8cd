-- Each engineer's customers: every customer of a ticket the engineer handled in the window (the twelve
-- months before the quarter), with the customer's latest name and phone on any ticket.
WITH pairs AS (
    SELECT DISTINCT agent, trim(customer_id) AS customer_id
    FROM tickets_current
    WHERE agent IS NOT NULL AND nullif(trim(customer_id), '') IS NOT NULL
      AND created_at >= {window_start} AND created_at < {window_end}
),
contact AS (
    SELECT trim(customer_id) AS customer_id,
        arg_max(customer_name, created_at) FILTER (WHERE customer_name IS NOT NULL) AS customer_name,
        arg_max(customer_phone, created_at) FILTER (WHERE customer_phone IS NOT NULL) AS customer_phone
    FROM tickets_current
    WHERE trim(customer_id) IN (SELECT customer_id FROM pairs)
    GROUP BY 1
)
SELECT p.agent, p.customer_id, c.customer_name, c.customer_phone
FROM pairs p LEFT JOIN contact c USING (customer_id)
ORDER BY p.agent, p.customer_id
