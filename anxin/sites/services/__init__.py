"""Every write of the construction sites (DESIGN rule 2: keyword-only, ``actor``, one transaction,
audited). One module per part, the public names re-exported here (``from anxin.sites import services``)."""

from anxin.sites.services.roster import *  # noqa: F403  (roster and special account)
