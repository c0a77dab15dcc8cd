-- QA results of sampled tickets against the others (issue 19): the filtered evaluations (those of the
-- qa_score indicator, by evaluated_at) split by whether their ticket is in a QA sample in force.
WITH e AS (
    {evaluations}
)
SELECT coalesce(e.ticket_id IN (SELECT ticket_id FROM qa_samples_current), false) AS sampled,
    count(*) AS evaluations, avg(e.score) AS qa_score,
    count_if(e.critical_failed) / nullif(count(*), 0) AS qa_critical_fail_rate
FROM e
GROUP BY ALL
ORDER BY sampled DESC
