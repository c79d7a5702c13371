"""The score: the hub's API compared with the store world's ground truth, every simulated 10 minutes."""

from simulators.score.hub_client import HubClient, HubError
from simulators.score.scorer import SCORE_KEYS, TARGETS, Scorer, meets_targets
from simulators.score.truth import Truth

__all__ = ["SCORE_KEYS", "TARGETS", "HubClient", "HubError", "Scorer", "Truth", "meets_targets"]
