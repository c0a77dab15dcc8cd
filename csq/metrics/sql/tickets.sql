-- Ticket indicators in one pass: the per-ticket steps of ticket_flags.sql, then every indicator per group.
WITH {flags},
agg AS (
    SELECT {group_names}
        count(*) AS n_all,
        count(frt_min) AS n_frt,
        quantile_cont(frt_min, [0.5, 0.9]) AS frt_q,
        count_if(frt_ok) AS frt_met, count(frt_ok) AS n_frt_sla,
        count(art_h) AS n_art,
        quantile_cont(art_h, [0.5, 0.9]) AS art_q,
        count_if(res_ok) AS res_met, count(res_ok) AS n_res_sla,
        count_if(resolved AND contacts IS NOT NULL AND contacts <= 1 AND reopen_count = 0) AS fcr_yes,
        count_if(resolved AND contacts IS NOT NULL) AS n_fcr,
        count_if(reopen_count > 0) AS reopened,
        count_if(escalated) AS escalated,
        count_if(complaint) AS complaints,
        count_if(c48_ok) AS c48_met, count(c48_ok) AS n_c48,
        count_if(c72_ok) AS c72_met, count(c72_ok) AS n_c72
    FROM flags
    GROUP BY ALL
)
SELECT {group_names}
    n_all AS tickets, n_all AS n_tickets,
    frt_q[1] AS frt_median_min, n_frt AS n_frt_median_min,
    frt_q[2] AS frt_p90_min, n_frt AS n_frt_p90_min,
    frt_met / nullif(n_frt_sla, 0) AS frt_sla_rate, n_frt_sla AS n_frt_sla_rate,
    art_q[1] AS art_median_h, n_art AS n_art_median_h,
    art_q[2] AS art_p90_h, n_art AS n_art_p90_h,
    res_met / nullif(n_res_sla, 0) AS resolution_sla_rate, n_res_sla AS n_resolution_sla_rate,
    n_art / nullif(n_all, 0) AS resolution_rate, n_all AS n_resolution_rate,
    fcr_yes / nullif(n_fcr, 0) AS fcr_rate, n_fcr AS n_fcr_rate,
    reopened / nullif(n_art, 0) AS reopen_rate, n_art AS n_reopen_rate,
    escalated / nullif(n_all, 0) AS escalation_rate, n_all AS n_escalation_rate,
    complaints / nullif(n_all, 0) AS complaint_rate, n_all AS n_complaint_rate,
    c48_met / nullif(n_c48, 0) AS complaint_response_rate_48h, n_c48 AS n_complaint_response_rate_48h,
    c72_met / nullif(n_c72, 0) AS complaint_resolution_rate_72h, n_c72 AS n_complaint_resolution_rate_72h
FROM agg
