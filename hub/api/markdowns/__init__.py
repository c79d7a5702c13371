"""The markdowns API and page: suggestions staff approve or reject, their shelf labels (docs/markdowns.md)."""
