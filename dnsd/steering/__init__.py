"""Traffic steering at run time: member health checks, the leader lease, and shifts
(docs/steering.md). The decisions are pure (:mod:`dnsd.domain.health`,
:mod:`dnsd.domain.shifts`); this package does the probing, the timing and the store calls."""
