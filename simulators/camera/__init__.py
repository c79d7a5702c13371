"""The simulated shelf camera: renders a bay of the planogram with ground truth, and serves it as MJPEG over HTTP."""
