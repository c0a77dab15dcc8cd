-- The open backlog by age band and priority, and how many of each are past an SLA limit now.
SELECT {band} AS band, priority, count(*) AS open,
    count_if(frt_over_min IS NOT NULL OR res_over_min IS NOT NULL) AS breaching
FROM ({open}) o
GROUP BY ALL
