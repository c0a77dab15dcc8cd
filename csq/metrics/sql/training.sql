-- Training pass rate: an explicit passed flag wins, else score against the pass mark (60 when
-- missing); an assessment with neither is not counted. Team as for QA: own, roster, usual.
WITH usual AS (
    {agent_team}
),
base AS (
    SELECT {groups}
        coalesce(r.passed, r.score >= coalesce(r.pass_mark, 60)) AS passed
    FROM training_current r
    LEFT JOIN agents_current a ON a.agent = r.agent
    LEFT JOIN usual u ON u.agent = r.agent
    WHERE {where}
)
SELECT {group_names}
    count_if(passed) / nullif(count(passed), 0) AS training_pass_rate,
    count(passed) AS n_training_pass_rate
FROM base
GROUP BY ALL
