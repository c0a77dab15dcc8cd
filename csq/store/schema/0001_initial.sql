-- Every record table holds all versions of its rows. A row is current while
-- _superseded_by IS NULL; importing a newer version sets it to the new batch,
-- and rolling that batch back clears it again, so nothing is ever destroyed.
CREATE SEQUENCE IF NOT EXISTS batch_seq START 1;
CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;

CREATE TABLE batches (
    batch_id      BIGINT PRIMARY KEY,
    kind          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    file_hash     VARCHAR,
    raw_path      VARCHAR,
    mapping_json  VARCHAR,
    created_at    TIMESTAMP NOT NULL,
    user_name     VARCHAR NOT NULL,
    status        VARCHAR NOT NULL DEFAULT 'committed',
    rows_read     BIGINT NOT NULL DEFAULT 0,
    rows_loaded   BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    rows_collapsed BIGINT NOT NULL DEFAULT 0,
    rows_replaced BIGINT NOT NULL DEFAULT 0,
    rolled_back_at TIMESTAMP,
    rolled_back_by VARCHAR
);

CREATE TABLE presets (
    name         VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    mapping_json VARCHAR NOT NULL,
    user_name    VARCHAR NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    logged_at TIMESTAMP NOT NULL,
    user_name VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    target    VARCHAR,
    details   VARCHAR
);

CREATE TABLE settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE sla_rules (
    position         INTEGER PRIMARY KEY,
    channel          VARCHAR,
    type             VARCHAR,
    priority         VARCHAR,
    first_response_min DOUBLE,
    resolution_min   DOUBLE
);

CREATE TABLE targets (
    indicator VARCHAR PRIMARY KEY,
    direction VARCHAR NOT NULL,
    target    DOUBLE NOT NULL,
    warning   DOUBLE NOT NULL
);

CREATE TABLE tickets (
    ticket_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    channel VARCHAR NOT NULL,
    channel_raw VARCHAR,
    type VARCHAR NOT NULL,
    type_raw VARCHAR,
    category VARCHAR,
    priority VARCHAR NOT NULL,
    priority_raw VARCHAR,
    agent VARCHAR,
    team VARCHAR,
    customer_id VARCHAR,
    customer_name VARCHAR,
    customer_phone VARCHAR,
    contacts INTEGER,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    escalated BOOLEAN,
    region VARCHAR,
    product VARCHAR,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE surveys (
    survey_id VARCHAR NOT NULL,
    ticket_id VARCHAR,
    sent_at TIMESTAMP,
    responded_at TIMESTAMP,
    csat SMALLINT,
    nps SMALLINT,
    ces SMALLINT,
    comment VARCHAR,
    channel VARCHAR,
    channel_raw VARCHAR,
    team VARCHAR,
    agent VARCHAR,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE servqual (
    respondent_id VARCHAR NOT NULL,
    responded_at TIMESTAMP NOT NULL,
    e_t1 SMALLINT, e_t2 SMALLINT, e_t3 SMALLINT, e_t4 SMALLINT,
    e_r1 SMALLINT, e_r2 SMALLINT, e_r3 SMALLINT, e_r4 SMALLINT, e_r5 SMALLINT,
    e_s1 SMALLINT, e_s2 SMALLINT, e_s3 SMALLINT, e_s4 SMALLINT,
    e_a1 SMALLINT, e_a2 SMALLINT, e_a3 SMALLINT, e_a4 SMALLINT,
    e_m1 SMALLINT, e_m2 SMALLINT, e_m3 SMALLINT, e_m4 SMALLINT, e_m5 SMALLINT,
    p_t1 SMALLINT, p_t2 SMALLINT, p_t3 SMALLINT, p_t4 SMALLINT,
    p_r1 SMALLINT, p_r2 SMALLINT, p_r3 SMALLINT, p_r4 SMALLINT, p_r5 SMALLINT,
    p_s1 SMALLINT, p_s2 SMALLINT, p_s3 SMALLINT, p_s4 SMALLINT,
    p_a1 SMALLINT, p_a2 SMALLINT, p_a3 SMALLINT, p_a4 SMALLINT,
    p_m1 SMALLINT, p_m2 SMALLINT, p_m3 SMALLINT, p_m4 SMALLINT, p_m5 SMALLINT,
    w_tangibles DOUBLE, w_reliability DOUBLE, w_responsiveness DOUBLE,
    w_assurance DOUBLE, w_empathy DOUBLE,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE qa (
    evaluation_id VARCHAR NOT NULL,
    ticket_id VARCHAR,
    agent VARCHAR NOT NULL,
    evaluator VARCHAR,
    evaluated_at TIMESTAMP NOT NULL,
    criterion VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL,
    weight DOUBLE,
    critical BOOLEAN NOT NULL DEFAULT false,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE training (
    agent VARCHAR NOT NULL,
    course VARCHAR NOT NULL,
    assessed_at TIMESTAMP NOT NULL,
    score DOUBLE,
    pass_mark DOUBLE,
    passed BOOLEAN,
    team VARCHAR,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE actions (
    action_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    cause_category VARCHAR,
    cause_category_raw VARCHAR,
    measure VARCHAR,
    indicator VARCHAR,
    scope VARCHAR,
    owner VARCHAR,
    start_date DATE,
    due_date DATE,
    completed_at DATE,
    pdca_stage VARCHAR NOT NULL DEFAULT 'plan',
    pdca_stage_raw VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'planned',
    status_raw VARCHAR,
    baseline DOUBLE,
    target DOUBLE,
    verification VARCHAR,
    notes VARCHAR,
    before_months INTEGER,
    after_months INTEGER,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);

CREATE TABLE agents (
    agent VARCHAR NOT NULL,
    team VARCHAR,
    hired_at DATE,
    active BOOLEAN,
    _batch_id BIGINT NOT NULL,
    _row BIGINT,
    _superseded_by BIGINT
);
