"""Fork -> branch -> commit -> pull request, for new services, batches and bumps."""
