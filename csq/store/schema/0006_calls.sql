-- Telephony detail from the ACD/CTI (issue 20, SPEC §2 calls). One row per call, key call_id. A call
-- that ended without an answer was abandoned; talk, hold and after-call work are seconds.
CREATE TABLE calls (
    call_id VARCHAR NOT NULL,
    entered_at TIMESTAMP,
    queued_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    ended_at TIMESTAMP,
    direction VARCHAR NOT NULL DEFAULT 'inbound',
    direction_raw VARCHAR,
    queue VARCHAR,
    agent VARCHAR,
    team VARCHAR,
    talk_s DOUBLE,
    hold_s DOUBLE,
    acw_s DOUBLE,
    ticket_id VARCHAR,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);
CREATE VIEW calls_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM calls WHERE _superseded_by IS NULL;
