-- Open tickets past an SLA limit now, the furthest past first; each is listed under the limit it is
-- furthest past.
SELECT ticket_id, created_at, channel, type, priority, team, agent,
    CASE WHEN coalesce(frt_over_min, -1) >= coalesce(res_over_min, -1) THEN 'first_response'
         ELSE 'resolution' END AS breach,
    CASE WHEN coalesce(frt_over_min, -1) >= coalesce(res_over_min, -1) THEN frt_limit_min
         ELSE res_limit_min END AS limit_min,
    CASE WHEN coalesce(frt_over_min, -1) >= coalesce(res_over_min, -1) THEN frt_over_min
         ELSE res_over_min END AS over_min
FROM ({open}) o
WHERE frt_over_min IS NOT NULL OR res_over_min IS NOT NULL
ORDER BY over_min DESC, ticket_id
LIMIT ?
