-- Failed assessments with the agent's QA before and after: the mean score of the agent's QA evaluations
-- (any filter but the agent) in the window days before the assessment and the window days from it on,
-- and whether a later assessment of the same course was passed (a retake).
WITH r AS (
    {results}
),
q AS (
    {evaluations}
),
later AS (
    SELECT agent, course, assessed_at,
        coalesce(passed, score >= coalesce(pass_mark, 60)) AS passed
    FROM training_current
)
SELECT r.agent, r.team, r.course, r.assessed_at, r.score, r.pass_mark,
    avg(q.score) FILTER (WHERE q.evaluated_at < r.assessed_at) AS qa_before,
    count(q.score) FILTER (WHERE q.evaluated_at < r.assessed_at) AS n_before,
    avg(q.score) FILTER (WHERE q.evaluated_at >= r.assessed_at) AS qa_after,
    count(q.score) FILTER (WHERE q.evaluated_at >= r.assessed_at) AS n_after,
    (SELECT bool_or(l.passed) FROM later l
     WHERE l.agent = r.agent AND l.course = r.course AND l.assessed_at > r.assessed_at) AS passed_later
FROM r
LEFT JOIN q ON q.agent = r.agent
    AND q.evaluated_at >= r.assessed_at - to_days(CAST({window} AS INTEGER))
    AND q.evaluated_at < r.assessed_at + to_days(CAST({window} AS INTEGER))
WHERE r.passed IS NOT NULL AND NOT r.passed
GROUP BY ALL
ORDER BY r.assessed_at DESC, r.agent, r.course
