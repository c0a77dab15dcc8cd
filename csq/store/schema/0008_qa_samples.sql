-- The weekly QA sample of SPEC §4d (issue 19): one row per draw (its week, parameters and who drew it) and
-- one row per drawn ticket. A draw is never deleted: `qa-sample --replace` marks the week's earlier draw
-- replaced (replaced_by = the new draw), so what evaluators were once handed can still be read back.
CREATE TABLE qa_sample_draws (
    draw_id BIGINT NOT NULL PRIMARY KEY,
    week VARCHAR NOT NULL,           -- ISO week, YYYY-Www
    seed BIGINT NOT NULL,
    per_agent INTEGER NOT NULL,      -- N for an agent; a new agent gets N x new_agent_factor
    new_agent_factor INTEGER NOT NULL,
    new_agent_days INTEGER NOT NULL,
    tickets INTEGER NOT NULL,        -- how many were drawn
    drawn_at TIMESTAMP NOT NULL,
    drawn_by VARCHAR NOT NULL,
    replaced_by BIGINT
);
CREATE TABLE qa_samples (
    draw_id BIGINT NOT NULL,
    week VARCHAR NOT NULL,
    ticket_id VARCHAR NOT NULL,
    agent VARCHAR NOT NULL,          -- the ticket's agent at the draw
    team VARCHAR,                    -- the ticket's team at the draw, else the roster's
    created_at TIMESTAMP NOT NULL,   -- the ticket's created_at at the draw: the moment qa_coverage_rate counts it
    reason VARCHAR NOT NULL,         -- complaint, escalated, low_csat or random (the first that applies)
    new_agent BOOLEAN NOT NULL,
    quota INTEGER NOT NULL,          -- how many the agent's draw asked for
    pick INTEGER NOT NULL            -- the ticket's place in the agent's draw, 1 first
);
-- The sample in force: every draw that no later draw of its week replaced.
CREATE VIEW qa_samples_current AS
    SELECT s.* FROM qa_samples s JOIN qa_sample_draws d ON d.draw_id = s.draw_id WHERE d.replaced_by IS NULL;
-- The scorecard gains components with this version (aht_s, calls_answered, qa_coverage_rate and the two
-- callback rates). A store that already holds calls or callbacks and never saved its weights would be
-- regraded by their non-zero defaults, so it keeps the weights it was graded by, saved: the six original
-- defaults, and the new components (absent from what is saved) weigh 0 (csq.evaluation.scorecard.weights).
INSERT INTO settings (key, value)
SELECT 'scorecard_weights', '{"qa_score": 25.0, "csat_rate": 25.0, "frt_sla_rate": 15.0, "resolution_rate": 15.0, "complaint_rate": 10.0, "training_pass_rate": 10.0}'
WHERE (EXISTS (SELECT 1 FROM calls) OR EXISTS (SELECT 1 FROM callbacks))
    AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'scorecard_weights');
