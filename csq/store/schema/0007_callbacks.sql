-- Customer callbacks (issue 19, SPEC §2 callbacks, 客户回访). One row per callback, key callback_id: a planned
-- callback of the quarterly draw (planned_for set, nothing called yet), then the same key with the caller's
-- result and the four answers; a second callback names the first in follow_up_of. withdrawn is set on the
-- version of a planned row that a replaced plan took back (`callbacks plan --replace`); rollback restores it.
CREATE TABLE callbacks (
    callback_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    customer_name VARCHAR,
    customer_phone VARCHAR,
    agent VARCHAR,
    team VARCHAR,
    planned_for DATE,
    called_at TIMESTAMP,
    result VARCHAR,
    result_raw VARCHAR,
    satisfied BOOLEAN,
    suggestion VARCHAR,
    attitude_ok BOOLEAN,
    open_issue VARCHAR,
    follow_up_of VARCHAR,
    withdrawn BOOLEAN,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);
CREATE VIEW callbacks_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM callbacks WHERE _superseded_by IS NULL;
