-- Where each recorded name comes from (issue 14): 'oidc' when the identity provider signed the person in;
-- 'env' ($CSQ_USER), 'os' (the OS login) or 'given' (a name a caller passed) when it is only asserted.
-- Rows written before this migration do not know theirs: 'unknown', shown as unverified like every
-- asserted name. The default also covers any writer that does not name a source.
ALTER TABLE audit_log ADD COLUMN user_source VARCHAR DEFAULT 'unknown';
ALTER TABLE batches ADD COLUMN user_source VARCHAR DEFAULT 'unknown';
ALTER TABLE batches ADD COLUMN rolled_back_source VARCHAR;
UPDATE batches SET rolled_back_source = 'unknown' WHERE rolled_back_by IS NOT NULL;
