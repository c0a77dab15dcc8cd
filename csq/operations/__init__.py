"""Running csq unattended (SPEC §9): `watch` imports what lands in a folder, `notify` sends the report and alerts."""
