"""Short scripts run by ``statnorm tour``, one per method (``tour(report)``)."""
