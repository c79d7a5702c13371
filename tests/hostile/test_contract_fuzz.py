"""Hostile part ``contract_fuzz``: whatever arrives, ``decode`` returns a message or raises ContractError, nothing else.

Issue 16: ``"[" * 3000 + "]" * 3000`` made ``json.loads`` raise RecursionError
through ``decode``, and that one exception stopped the hub's ingest. The
property below is what every consumer relies on: it dead-letters
ContractError and carries on. Inputs: arbitrary bytes and text (lone
surrogates included), arbitrary JSON values (NaN, infinities, huge
integers), deep nesting, and every schema's documented example mutated
(fields replaced, removed, repeated, bytes cut or flipped, topic changed).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.contract import ContractError, Message, decode, encode
from tests.contract_examples import doc_examples
from tests.hostile.scale import hostile_scale

EXAMPLES = doc_examples()
TOPIC = EXAMPLES[0][0]

json_leaf = (st.none() | st.booleans() | st.integers()
             | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40) | st.just("\ud800"))
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=30)


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True, ensure_ascii=False)


@st.composite
def nested(draw: st.DrawFn) -> tuple[str, bytes]:
    depth = draw(st.integers(min_value=1, max_value=20_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"schema":[', "]}")]))
    return TOPIC, (opener * depth + "1" + closer * depth).encode()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes | str]:
    topic, text = draw(st.sampled_from(EXAMPLES))
    data = json.loads(text)
    kind = draw(st.sampled_from(["replace", "delete", "repeat", "cut", "flip", "topic", "none"]))
    if kind in ("replace", "delete") and isinstance(data, dict):
        target: Any = data
        while True:  # walk down into a random nested object or list
            children = [v for v in (target.values() if isinstance(target, dict) else target)
                        if isinstance(v, dict | list) and v]
            if not children or not draw(st.booleans()):
                break
            target = draw(st.sampled_from(children))
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if keys:
            key = draw(st.sampled_from(keys))
            if kind == "replace":
                target[key] = draw(json_value)
            else:
                del target[key]
        return topic, _dumps(data)
    if kind == "repeat":
        return topic, text.replace("{", '{"schema": "x", ', 1)
    raw = text.encode()
    if kind == "cut":
        return topic, raw[: draw(st.integers(min_value=0, max_value=len(raw)))]
    if kind == "flip":
        at = draw(st.integers(min_value=0, max_value=len(raw) - 1))
        return topic, raw[:at] + bytes([raw[at] ^ draw(st.integers(min_value=1, max_value=255))]) + raw[at + 1:]
    if kind == "topic":
        return draw(st.text(max_size=80)), raw
    return topic, raw


def cases() -> st.SearchStrategy[tuple[str, bytes | str]]:
    return st.one_of(
        st.tuples(st.just(TOPIC), st.binary(max_size=2000)),
        st.tuples(st.just(TOPIC), st.text(max_size=500).map(lambda t: t + "\ud800" if len(t) % 3 == 0 else t)),
        st.tuples(st.just(TOPIC), json_value.map(_dumps)),
        nested(),
        mutated(),
        # integers past Python's 4300-digit limit for int() (built as text: such an int breaks repr too)
        st.integers(min_value=4000, max_value=6000).map(lambda n: (TOPIC, f'{{"schema": "s", "seq": {"9" * n}}}')),
    )


def test_decode_returns_a_message_or_raises_contract_error_whatever_it_is_given() -> None:
    counts: Counter[str] = Counter()

    @settings(max_examples=1500 * hostile_scale(), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(case=cases())
    def decode_never_escapes(case: tuple[str, bytes | str]) -> None:
        topic, payload = case
        counts["tried"] += 1
        try:
            message = decode(topic, payload)
        except ContractError as err:
            assert str(err), "a rejection names its reason"
            counts["rejected"] += 1
            return
        assert isinstance(message, Message)
        assert decode(topic, encode(message)) == message, "what is accepted can be sent on as it is"
        counts["accepted"] += 1

    decode_never_escapes()
    assert counts["tried"] == counts["rejected"] + counts["accepted"] and counts["rejected"] > 0
    schemas = len({json.loads(text)["schema"] for _, text in EXAMPLES})
    print(f"HOSTILE part=contract_fuzz tried={counts['tried']} rejected={counts['rejected']} "
          f"accepted={counts['accepted']} alive=yes lost=0 schemas={schemas}")
