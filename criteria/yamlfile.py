"""Strict YAML reading shared by the trial and lexicon loaders.

PyYAML keeps the last of two equal keys without a word; in a criteria file that would
silently drop a rule, so duplicate keys are an error here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from criteria.errors import Code, TrialFileError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a plain value, not {type(key).__name__}", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path) -> Any:
    """Read one YAML document strictly.

    Raises:
        TrialFileError: the file is missing or is not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TrialFileError(Code.TRIAL_FILE_MISSING, f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise TrialFileError(Code.TRIAL_FILE_SYNTAX, f"{path}: not a UTF-8 text file") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise TrialFileError(Code.TRIAL_FILE_SYNTAX, f"{path}: not valid YAML: {exc}") from exc


def describe_validation_error(path: Path, exc: ValidationError, labels: dict[tuple[Any, ...], str]) -> str:
    """Turn pydantic's error list into lines naming the file and the key.

    Args:
        path: the file that was read.
        exc: the validation error.
        labels: readable names for list positions, e.g. ``("criteria", 3) -> "criteria[3] (inc-age)"``.
    """
    lines = [f"{path}: {len(exc.errors())} problem(s)"]
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = _label(loc, labels)
        lines.append(f"  - {where}: {err['msg']}")
    return "\n".join(lines)


def _label(loc: tuple[Any, ...], labels: dict[tuple[Any, ...], str]) -> str:
    for cut in range(len(loc), 0, -1):
        head = loc[:cut]
        if head in labels:
            rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[cut:])
            return labels[head] + rest
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc]
    return "".join(parts).lstrip(".") or "(top level)"
