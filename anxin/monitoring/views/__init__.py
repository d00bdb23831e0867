"""Monitoring screens, one module per sub-domain: alerts, observations (ledger and import), risk
(the enterprises at risk and the office's re-assessment), reports (immediate reports), watch,
sensitive (sensitive periods), screening and the cockpit; ``_common`` holds their little shared
helpers. ``monitoring/urls.py`` names each view by its module."""
