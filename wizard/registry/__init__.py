"""The upstream registry: its index, the folders and ids in use, and the checks of service folders."""
