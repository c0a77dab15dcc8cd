-- The stored ticket facts (every current ticket on its SLA clock, with its due moments) in a filter.
SELECT t.* FROM ticket_facts t WHERE {where}
