"""GitHub REST over httpx: the client, its errors in plain words, the token, and the dry run."""
