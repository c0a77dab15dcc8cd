-- The team an agent most often has on tickets (ties: alphabetically first), the last fallback
-- when a QA evaluation or training record carries no team and the roster has none either.
SELECT agent, team
FROM (
    SELECT agent, team, count(*) AS tickets
    FROM tickets_current
    WHERE agent IS NOT NULL AND team IS NOT NULL
    GROUP BY agent, team
)
QUALIFY row_number() OVER (PARTITION BY agent ORDER BY tickets DESC, team) = 1
