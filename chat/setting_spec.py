"""How a setting is declared (a Spec, through setting()) and read from an environment mapping.

chat/settings.py declares every setting with these; scripts/settings_doc.py renders the docs
from the same Specs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

SPEC_KEY = "chat.setting"
_T = TypeVar("_T")


@dataclass(frozen=True)
class Spec:
    """How one setting reads from the environment and how the docs show it.

    The README's configuration table and the application section of .env.example are
    generated from these by scripts/settings_doc.py; a test fails when they are stale.
    """

    env: str  # the environment variable
    meaning: str  # one line: the README's table and the first .env.example comment line
    advice: tuple[str, ...] = ()  # more comment lines for .env.example (operators' advice)
    shown: str | None = None  # the default as the README shows it, when not the value itself
    example: str | None = None  # the value .env.example gives, when not the default
    commented: bool = False  # .env.example leaves it commented out (compose or the image sets it)
    minimum: int = 1  # whole numbers: the smallest accepted
    lower: bool = False  # text: lower-cased


def setting(default: _T, spec: Spec, *, repr: bool = True) -> _T:
    """A Settings field: its default, and the Spec that names, reads and documents it."""
    return field(default=default, repr=repr, metadata={SPEC_KEY: spec})


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it."""


def spec_of(f: Field[Any]) -> Spec:
    spec: Spec = f.metadata[SPEC_KEY]
    return spec


class Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def read(self, spec: Spec, kind: object, default: object) -> object:
        """The variable's value, parsed by the attribute's type."""
        name = spec.env
        if get_origin(kind) is Literal:
            return self.choice(name, tuple(str(o) for o in get_args(kind)), str(default))
        if kind is bool:
            return self.boolean(name, bool(default))
        if kind is int and isinstance(default, int):
            return self.integer(name, default, minimum=spec.minimum)
        if kind is float and isinstance(default, float):
            return self.number(name, default)
        if kind == tuple[str, ...]:
            return self.csv(name)
        if kind is Path:
            return Path(self.text(name, str(default)))
        if kind == str | None:
            return self.text(name, "") or None
        if kind is str:
            value = self.text(name, str(default))
            return value.lower() if spec.lower else value
        raise TypeError(f"Settings.{name}: no reader for {kind!r}")

    def text(self, name: str, default: str) -> str:
        value = self._env.get(name)
        return default if value is None or value.strip() == "" else value.strip()

    def csv(self, name: str) -> tuple[str, ...]:
        raw = self._env.get(name, "")
        return tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        raw = self.text(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: float) -> float:
        raw = self.text(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if not value > 0:
            raise SettingsError(f"{name} must be positive, got {raw!r}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name, "true" if default else "false").lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, got {raw!r}")

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).lower()
        if value not in options:
            raise SettingsError(f"{name} must be one of {', '.join(options)}, got {value!r}")
        return value
