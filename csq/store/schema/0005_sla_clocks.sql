-- SLA clocks (issue 15, SPEC §4a). Each SLA rule names the calendar its limits are counted on and
-- whether pauses also stop its first-response clock; every existing rule stays on the wall clock.
ALTER TABLE sla_rules ADD COLUMN calendar VARCHAR DEFAULT '24x7';
ALTER TABLE sla_rules ADD COLUMN pause_first_response BOOLEAN DEFAULT FALSE;
UPDATE sla_rules SET calendar = '24x7', pause_first_response = FALSE;

-- The status history of tickets (SPEC §2 ticket_events). One row per status change; the key is
-- (ticket_id, event_at), so a re-exported history supersedes the rows it repeats.
CREATE TABLE ticket_events (
    ticket_id VARCHAR NOT NULL,
    event_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    status_raw VARCHAR,
    agent VARCHAR,
    team VARCHAR,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);
CREATE VIEW ticket_events_current AS
    SELECT * EXCLUDE (_row, _superseded_by) FROM ticket_events WHERE _superseded_by IS NULL;
