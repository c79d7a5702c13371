"""A message as data: a code and its parameters, said in any language when someone reads it.

What the hub stores for people to read later (an alert, a reorder note) is a
:class:`Message`, kept as ``{"code": ..., "params": {...}}``, never as a
sentence: the dashboard says it in the reader's language at read time. A
Message is also the English sentence itself (a ``str``), because the API's
and the MQTT contract's ``text`` fields are English and code that joins or
compares notes keeps working unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Self

from hub.i18n.catalog import SOURCE_LANGUAGE, translate

#: Parameter values a stored message may hold (JSON's scalars and nested messages).
Param = str | int | float | bool | None


class Message(str):
    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Self:
        said = super().__new__(cls, translate(code, SOURCE_LANGUAGE, **params))
        said.code, said.params = code, params
        return said

    def text(self, lang: str) -> str:
        return translate(self.code, lang, **self.params)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code,
                "params": {k: v.as_json() if isinstance(v, Message) else v for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        params = {k: cls.from_json(v) if isinstance(v, dict) and "code" in v else v
                  for k, v in (data.get("params") or {}).items()}
        return cls(str(data["code"]), **params)

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy keep the code, not just the English text
        return (_rebuild, (self.code, self.params))


def _rebuild(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def dumps(messages: list[Message]) -> str:
    """Messages as the JSON text a column keeps."""
    return json.dumps([m.as_json() for m in messages], ensure_ascii=False)


def loads(text: str) -> list[Message]:
    return [Message.from_json(item) for item in json.loads(text)]
