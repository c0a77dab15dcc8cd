-- Survey indicators in one pass over the surveys, joined once to their tickets (and only when a filter or
-- grouping reads a ticket field). Answers count in the month they were given; the response rate counts
-- each invitation in the month it was sent. So each survey is read in two halves, h.half 'a' (as an
-- answer) and 'i' (as an invitation), each filtered by its own moment and grouped within its half; the
-- month expression of the groups picks the half's moment. A survey missing channel, team or agent takes
-- them from its ticket; the other ticket fields always come from the linked ticket.
WITH halves AS (
    SELECT {groups} h.half, s.csat, s.nps,
        (s.responded_at IS NOT NULL OR s.csat IS NOT NULL OR s.nps IS NOT NULL OR s.ces IS NOT NULL) AS answered
    FROM surveys_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    CROSS JOIN (VALUES ('a'), ('i')) h(half)
    WHERE (h.half = 'a' AND (s.csat IS NOT NULL OR s.nps IS NOT NULL) AND {where_answers})
       OR (h.half = 'i' AND s.sent_at IS NOT NULL AND {where_invitations})
)
SELECT {group_names}
    count_if(csat >= 4 AND half = 'a') / nullif(count_if(csat IS NOT NULL AND half = 'a'), 0) AS csat_rate,
    count_if(csat IS NOT NULL AND half = 'a') AS n_csat_rate,
    avg(CASE WHEN half = 'a' THEN csat END) AS csat_mean,
    count_if(csat IS NOT NULL AND half = 'a') AS n_csat_mean,
    100.0 * (count_if(nps >= 9 AND half = 'a') - count_if(nps <= 6 AND half = 'a'))
        / nullif(count_if(nps IS NOT NULL AND half = 'a'), 0) AS nps,
    count_if(nps IS NOT NULL AND half = 'a') AS n_nps,
    count_if(answered AND half = 'i') / nullif(count_if(half = 'i'), 0) AS survey_response_rate,
    count_if(half = 'i') AS n_survey_response_rate
FROM halves
GROUP BY {group_names} half
