-- The QA sample of one week (SPEC §4d): for every agent with tickets created in the week and not yet
-- evaluated, the riskiest tickets first (complaint, then escalated, then a linked survey with csat <= 2,
-- then the rest), each tier in a seeded random order, up to the agent's quota: N, or N x factor for an
-- agent the roster says was hired less than new_days before the week's Monday (or during the week).
-- The random order is md5(seed:ticket_id): it depends on the seed and the ticket alone, not on the order
-- rows were imported in, so the same seed always draws the same tickets.
WITH week_tickets AS (
    SELECT t.ticket_id, t.agent, coalesce(t.team, a.team) AS team, t.created_at,
        CASE WHEN t.type = 'complaint' THEN 1
             WHEN coalesce(t.escalated, false) THEN 2
             WHEN EXISTS (SELECT 1 FROM surveys_current s WHERE s.ticket_id = t.ticket_id AND s.csat <= 2) THEN 3
             ELSE 4 END AS tier,
        coalesce(a.hired_at > CAST({week_start} AS DATE) - {new_agent_days}, false) AS new_agent
    FROM tickets_current t
    LEFT JOIN agents_current a ON a.agent = t.agent
    WHERE t.created_at >= {week_start} AND t.created_at < {week_end} AND t.agent IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM qa_current q WHERE q.ticket_id = t.ticket_id)
),
ordered AS (
    SELECT *,
        CASE WHEN new_agent THEN {per_agent} * {new_agent_factor} ELSE {per_agent} END AS quota,
        row_number() OVER (PARTITION BY agent ORDER BY tier, md5({seed} || ':' || ticket_id)) AS pick
    FROM week_tickets
)
SELECT ticket_id, agent, team, created_at,
    CASE tier WHEN 1 THEN 'complaint' WHEN 2 THEN 'escalated' WHEN 3 THEN 'low_csat' ELSE 'random' END AS reason,
    new_agent, CAST(quota AS INTEGER) AS quota, CAST(pick AS INTEGER) AS pick
FROM ordered
WHERE pick <= quota
ORDER BY agent, pick
