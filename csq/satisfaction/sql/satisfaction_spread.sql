-- Per group, the spread of individual answers behind csat_mean and nps, for limits that follow n and
-- for comparing two periods. An NPS answer scores +100 (9–10), 0 (7–8) or −100 (0–6): their mean is the NPS.
-- {group} is an expression from the survey dimension allow-list (or NULL for one overall row).
WITH answers AS (
    SELECT {group} AS g, s.csat,
        CASE WHEN s.nps IS NULL THEN NULL WHEN s.nps >= 9 THEN 100.0 WHEN s.nps <= 6 THEN -100.0 ELSE 0.0 END
            AS nps_score
    FROM surveys_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE (s.csat IS NOT NULL OR s.nps IS NOT NULL) AND {where}
)
SELECT g,
    count(csat) AS n_csat, avg(csat) AS mean_csat, var_samp(csat) AS var_csat,
    count(nps_score) AS n_nps, avg(nps_score) AS mean_nps, var_samp(nps_score) AS var_nps
FROM answers
GROUP BY ALL
