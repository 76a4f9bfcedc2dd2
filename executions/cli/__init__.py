"""Terminal surfaces: rendering an execution's events for run_agent and other commands."""
