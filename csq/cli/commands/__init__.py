"""CLI commands beyond the core ones: each module defines register(sub, common), adding its subparser."""
