-- The first day of the tickets the backlog reads (its field filters only): where its days start when no
-- period is chosen.
SELECT CAST(min(t.created_at) AS DATE) AS first_day
FROM tickets_current t
WHERE {where}
