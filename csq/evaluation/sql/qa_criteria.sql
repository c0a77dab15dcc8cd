-- QA criteria over the filtered evaluations: a criterion passes when it keeps all its points (the
-- same rule that makes a critical criterion fail); points are compared as a share of max_score.
WITH e AS (
    {evaluations}
)
SELECT q.criterion,
    bool_or(q.critical) AS critical,
    avg(q.max_score) AS max_score,
    avg(q.weight) AS weight,
    avg(q.score) AS mean_score,
    100.0 * avg(q.score / nullif(q.max_score, 0)) AS mean_pct,
    count_if(q.score >= q.max_score) / nullif(count(*), 0) AS pass_rate,
    count(*) AS n
FROM qa_current q
JOIN e ON e.evaluation_id = q.evaluation_id
GROUP BY q.criterion
ORDER BY bool_or(q.critical) DESC, q.criterion
