"""Shelf vision on the edge: capture from a camera URL, detect products with ONNX Runtime, count facings per slot."""
