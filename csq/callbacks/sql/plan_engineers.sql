-- The engineers a quarter's plan draws for (SPEC §4d "every active engineer"): the roster's active agents
-- (active unknown counts as active), or, without a roster, every agent who handled a ticket in the window.
-- Each with a team: the roster's, else the team of the engineer's latest ticket in the window.
WITH roster AS (
    SELECT agent, team FROM agents_current WHERE agent IS NOT NULL AND coalesce(active, true)
),
worked AS (
    SELECT agent, arg_max(team, created_at) AS team
    FROM tickets_current
    WHERE agent IS NOT NULL AND created_at >= {window_start} AND created_at < {window_end}
    GROUP BY agent
)
SELECT r.agent, coalesce(r.team, w.team) AS team FROM roster r LEFT JOIN worked w USING (agent)
UNION ALL
SELECT agent, team FROM worked WHERE NOT EXISTS (SELECT 1 FROM agents_current WHERE agent IS NOT NULL)
ORDER BY agent
