"""Writes of the construction sites (one module per part; the public names re-exported here)."""

from anxin.sites.services.payroll import PayrollInput, PayrollRefused, payroll_months_sweep, payroll_submit  # noqa: F401
