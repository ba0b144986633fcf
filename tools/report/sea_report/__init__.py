"""sea_report: turns chaos-run artifacts (timeline.json per scenario, optional JUnit XML) into one HTML report."""
