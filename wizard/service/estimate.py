"""Estimating the memory a model needs from its parameter count and precision, for those who do not know."""

from __future__ import annotations

import math

BYTES_PER_PARAMETER = {"fp32": 4.0, "fp16/bf16": 2.0, "int8": 1.0, "int4": 0.5}
# Weights are not all: activations, the KV cache and the CUDA context add about a fifth at short contexts.
OVERHEAD = 1.2


def estimate_memory_mib(parameters_billions: float, precision: str) -> int:
    """MiB needed to serve a model: 7B at fp16/bf16 -> 16022 MiB (about 15.6 GiB)."""
    if precision not in BYTES_PER_PARAMETER:
        raise ValueError(f"precision must be one of {', '.join(BYTES_PER_PARAMETER)}")
    if not parameters_billions > 0:
        raise ValueError("the parameter count must be more than 0 (in billions: 7 for a 7B model)")
    weights = parameters_billions * 1e9 * BYTES_PER_PARAMETER[precision]
    return math.ceil(weights * OVERHEAD / 2**20)


def billions(count: int) -> str:
    """A parameter count as the estimate takes it, exact enough to give the same MiB: 11858000000 -> '11.858'."""
    return f"{count / 1e9:.10g}"
