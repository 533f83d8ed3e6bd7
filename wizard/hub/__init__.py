"""Start from a model on the Hugging Face Hub: its model info and card, turned into answers marked as filled in
from there (``card``), fetched with ``huggingface_hub`` only when this is used (``client``)."""
