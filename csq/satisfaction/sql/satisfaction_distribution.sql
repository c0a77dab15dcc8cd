-- How many answers gave each csat score (1–5) and each nps score (0–10), in the month of the answer.
WITH answers AS (
    SELECT s.csat, s.nps
    FROM surveys_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE (s.csat IS NOT NULL OR s.nps IS NOT NULL) AND {where}
)
SELECT 'csat' AS scale, csat AS score, CAST(count(*) AS BIGINT) AS answers
FROM answers WHERE csat IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'nps' AS scale, nps AS score, CAST(count(*) AS BIGINT) AS answers FROM answers WHERE nps IS NOT NULL GROUP BY ALL
ORDER BY scale, score
