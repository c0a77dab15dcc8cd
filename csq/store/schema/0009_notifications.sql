-- What `notify` sent (issue 18), so that it never sends the same alert twice. One row per alert and channel,
-- written in one transaction after that channel's send succeeded; a failed send writes nothing.
-- kind: 'off_target' or 'signal' (indicator and month 'YYYY-MM'), or 'report' (indicator '', month = the
-- quarter 'YYYYQN').
CREATE TABLE notifications (
    indicator VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    user_name VARCHAR,
    detail VARCHAR,
    PRIMARY KEY (indicator, month, kind, channel)
);
