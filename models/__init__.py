"""The shelf detector: synthetic dataset, training and export (ultralytics), evaluation through the edge pipeline."""
