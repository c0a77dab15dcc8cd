-- Current rows only: what every indicator reads.
CREATE VIEW tickets_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM tickets WHERE _superseded_by IS NULL;
CREATE VIEW surveys_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM surveys WHERE _superseded_by IS NULL;
CREATE VIEW servqual_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM servqual WHERE _superseded_by IS NULL;
CREATE VIEW qa_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM qa WHERE _superseded_by IS NULL;
CREATE VIEW training_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM training WHERE _superseded_by IS NULL;
CREATE VIEW actions_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM actions WHERE _superseded_by IS NULL;
CREATE VIEW agents_current AS SELECT * EXCLUDE (_row, _superseded_by) FROM agents WHERE _superseded_by IS NULL;
