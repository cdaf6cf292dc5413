"""Statistics on the values frame: comparisons, peers, trends, gender gaps, red-red,
expected values, driver regressions and unit tables."""
