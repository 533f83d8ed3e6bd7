"""The registry's step 1, Test: a local index the Prem Daemon loads (``try``) and a running service exercised
the way the Prem App calls it (``check``), with a container started through a local Docker engine."""
