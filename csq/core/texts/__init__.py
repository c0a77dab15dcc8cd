"""Per-page UI text: each module here defines TEXT = {key: (中文, English)}; csq.i18n merges them all."""
