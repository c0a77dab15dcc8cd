-- Survey indicators. Answers count in the month they were given; the response rate counts each
-- invitation in the month it was sent, so the two halves are filtered and grouped separately.
-- A survey missing channel, team or agent takes them from its ticket; the other ticket fields
-- always come from the linked ticket.
WITH answers AS (
    SELECT {groups_answers} s.csat, s.nps
    FROM surveys_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE (s.csat IS NOT NULL OR s.nps IS NOT NULL) AND {where_answers}
),
invitations AS (
    SELECT {groups_invitations}
        (s.responded_at IS NOT NULL OR s.csat IS NOT NULL OR s.nps IS NOT NULL OR s.ces IS NOT NULL) AS answered
    FROM surveys_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE s.sent_at IS NOT NULL AND {where_invitations}
)
SELECT {group_names}
    count_if(csat >= 4) / nullif(count(csat), 0) AS csat_rate, count(csat) AS n_csat_rate,
    avg(csat) AS csat_mean, count(csat) AS n_csat_mean,
    100.0 * (count_if(nps >= 9) - count_if(nps <= 6)) / nullif(count(nps), 0) AS nps, count(nps) AS n_nps
FROM answers
GROUP BY ALL
UNION ALL BY NAME
SELECT {group_names}
    count_if(answered) / nullif(count(*), 0) AS survey_response_rate, count(*) AS n_survey_response_rate
FROM invitations
GROUP BY ALL
