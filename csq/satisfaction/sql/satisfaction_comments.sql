-- Answers with a comment, newest first, with the linked ticket's customer columns (masked in Python).
-- The search is a case-insensitive substring match, so Chinese and English words both work; no wildcards.
SELECT s.survey_id, coalesce(s.responded_at, s.sent_at) AS answered_at, s.csat, s.nps,
    coalesce(s.channel, t.channel) AS channel, coalesce(s.team, t.team) AS team, t.type AS type,
    s.ticket_id, s.comment, t.customer_name, t.customer_phone, t.customer_id
FROM surveys_current s
LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
WHERE s.comment IS NOT NULL AND trim(s.comment) <> '' AND {where}
    AND (CAST(? AS VARCHAR) IS NULL OR contains(lower(s.comment), lower(CAST(? AS VARCHAR))))
ORDER BY answered_at DESC NULLS LAST, s.survey_id
LIMIT ?
