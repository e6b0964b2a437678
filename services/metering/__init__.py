"""Supply points, meters and readings: checking and reviewing self-readings, consumption
charts and the identifiers (EAN, EIC) of supply points."""
