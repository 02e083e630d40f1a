"""The typer app and command classes, with one fix to the help screens.

typer 0.29's rich help prints every option's type, flags included: `--help <bool>`, `--force <bool>`.
A flag takes no value, so it gets an empty type label here (its plain-text help already shows none).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption


def _untyped_flags(params: list) -> list:
    for p in params:
        if isinstance(p, TyperOption) and p.is_flag and p.metavar is None:
            p.metavar = ""  # shown instead of the type; the help option is made here too
    return params


class Command(TyperCommand):
    def get_params(self, ctx):
        return _untyped_flags(super().get_params(ctx))


class Group(TyperGroup):
    def get_params(self, ctx):
        return _untyped_flags(super().get_params(ctx))


class App(typer.Typer):
    """A typer app whose groups and commands use the classes above."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
