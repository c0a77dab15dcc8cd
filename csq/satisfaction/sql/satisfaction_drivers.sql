-- Satisfaction of answers whose survey links to a ticket, by what happened to that ticket: how fast it
-- was first answered and resolved, whether it was reopened or escalated. Bucket codes are labelled in
-- csq/texts/satisfaction.py; a ticket without a response or resolution has its own bucket.
WITH linked AS (
    SELECT s.csat,
        CASE WHEN t.first_response_at IS NULL THEN 'none'
             WHEN t.first_response_at - t.created_at <= INTERVAL 5 MINUTE THEN 'le_5m'
             WHEN t.first_response_at - t.created_at <= INTERVAL 1 HOUR THEN 'le_1h'
             WHEN t.first_response_at - t.created_at <= INTERVAL 24 HOUR THEN 'le_24h'
             ELSE 'gt_24h' END AS first_response,
        CASE WHEN t.resolved_at IS NULL THEN 'none'
             WHEN t.resolved_at - t.created_at <= INTERVAL 4 HOUR THEN 'le_4h'
             WHEN t.resolved_at - t.created_at <= INTERVAL 24 HOUR THEN 'le_24h'
             WHEN t.resolved_at - t.created_at <= INTERVAL 72 HOUR THEN 'le_72h'
             ELSE 'gt_72h' END AS resolution,
        CASE WHEN coalesce(t.reopen_count, 0) > 0 THEN 'yes' ELSE 'no' END AS reopened,
        CASE WHEN coalesce(t.escalated, FALSE) THEN 'yes' ELSE 'no' END AS escalated
    FROM surveys_current s
    JOIN {ticket_source} t ON t.ticket_id = s.ticket_id
    WHERE s.csat IS NOT NULL AND {where}
)
SELECT 'first_response' AS driver, first_response AS bucket, count(*) AS n,
    CAST(count_if(csat >= 4) AS BIGINT) AS satisfied,
    avg(csat) AS mean FROM linked GROUP BY ALL
UNION ALL
SELECT 'resolution', resolution, count(*), CAST(count_if(csat >= 4) AS BIGINT), avg(csat) FROM linked GROUP BY ALL
UNION ALL
SELECT 'reopened', reopened, count(*), CAST(count_if(csat >= 4) AS BIGINT), avg(csat) FROM linked GROUP BY ALL
UNION ALL
SELECT 'escalated', escalated, count(*), CAST(count_if(csat >= 4) AS BIGINT), avg(csat) FROM linked GROUP BY ALL
