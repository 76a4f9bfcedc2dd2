"""The operator's dashboard: its numbers (selectors.py), the runners Temporal
sees polling (runners.py) and the server-rendered SVG charts (charts.py)."""
