-- Every target names where its value comes from (issue 13): `source` in English, `source_zh` in Chinese.
-- A row without a target value remembers a default target a user removed, so no upgrade brings it back.
-- The default targets an older store lacks, and the sources of its existing rows, are filled in by
-- csq.store.settings.seed_defaults right after the migration (the texts live there, not here).
ALTER TABLE targets ADD COLUMN source VARCHAR;
ALTER TABLE targets ADD COLUMN source_zh VARCHAR;
ALTER TABLE targets ALTER COLUMN target DROP NOT NULL;
