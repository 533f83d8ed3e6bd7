"""The service: what a manifest is, its fields, and how answers become a service folder."""
