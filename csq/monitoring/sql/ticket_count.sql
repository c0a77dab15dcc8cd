-- How many tickets one list of ticket_list.sql holds, without its row limit. {condition} comes from the
-- allow-list in csq/monitoring/tickets.py.
WITH s AS (
    {sla}
)
SELECT count(*) AS n
FROM s
WHERE {condition}
