-- qa_coverage_rate (SPEC §3): sampled tickets with a QA evaluation / sampled tickets, over the samples
-- in force, each ticket in the week or month of its created_at, under the agent and team it was drawn for.
-- "Evaluated" is a membership test rather than a correlated EXISTS, which ClickHouse (kpi --engine chdb)
-- cannot run; the coalesce makes a ticket with no evaluation FALSE, as EXISTS would, and not NULL.
WITH base AS (
    SELECT {groups}
        coalesce(s.ticket_id IN (SELECT q.ticket_id FROM qa_current q), false) AS evaluated
    FROM qa_samples_current s
    LEFT JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE {where}
)
SELECT {group_names}
    count_if(evaluated) / nullif(count(*), 0) AS qa_coverage_rate, count(*) AS n_qa_coverage_rate
FROM base
GROUP BY ALL
