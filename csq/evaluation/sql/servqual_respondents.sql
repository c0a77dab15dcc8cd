-- One row per current SERVQUAL response inside the filter: every item on both sides and the
-- respondent's 100 points, for the per-respondent statistics (confidence intervals, alpha, waves).
SELECT s.respondent_id, s.responded_at, {columns}
FROM servqual_current s
WHERE {where}
ORDER BY s.responded_at, s.respondent_id
