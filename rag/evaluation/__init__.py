"""Evaluation of question sets: dataset loading, metrics, the runner, and reports (one file each)."""
