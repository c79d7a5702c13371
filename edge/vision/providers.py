"""ONNX Runtime execution providers by the short names ``edge.yaml`` uses, with the fallback to the CPU.

Which providers a board has depends on the ONNX Runtime build installed on
it (``onnxruntime-gpu`` on a Jetson, plain ``onnxruntime`` on a Raspberry
Pi): the configuration names what it would like, in order, and the detector
takes what this build offers.
"""

from __future__ import annotations

#: short names for ONNX Runtime's execution providers in ``edge.yaml``; full names are accepted too
PROVIDER_NAMES = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
    "openvino": "OpenVINOExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "directml": "DmlExecutionProvider",
    "rocm": "ROCMExecutionProvider",
    "migraphx": "MIGraphXExecutionProvider",
    "qnn": "QNNExecutionProvider",
    "xnnpack": "XnnpackExecutionProvider",
    "acl": "ACLExecutionProvider",
    "armnn": "ArmNNExecutionProvider",
}
CPU = "CPUExecutionProvider"


def provider_name(name: str) -> str:
    """ONNX Runtime's name for ``name`` (``cuda`` or ``CUDAExecutionProvider``); ValueError if it names none."""
    import onnxruntime as ort

    full = PROVIDER_NAMES.get(name.lower(), name)
    if full not in ort.get_all_providers():
        known = ", ".join(PROVIDER_NAMES)
        raise ValueError(f"unknown execution provider {name!r}: one of {known}, or ONNX Runtime's full name")
    return full


def choose_providers(requested: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the providers to ask for, in order, CPU always last; the requested ones this ONNX Runtime lacks).

    A provider missing from this build (CUDA on a Raspberry Pi) is skipped,
    never fatal: the detector falls back to the next one and in the end to
    the CPU, and says so at start.
    """
    import onnxruntime as ort

    available = set(ort.get_available_providers())
    chosen, missing = [], []
    for name in requested:
        full = provider_name(name)
        if full not in available:
            missing.append(full)
        elif full not in chosen:
            chosen.append(full)
    if CPU in chosen:
        chosen.remove(CPU)
    return [*chosen, CPU], missing
