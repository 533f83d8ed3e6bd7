"""prem-new-service: add a service to the Prem registry."""

__version__ = "0.1.0"
