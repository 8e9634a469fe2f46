"""Commands: each action validates, calls the plugins, writes in one transaction (STYLE §5)."""
