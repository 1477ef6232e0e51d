"""Read YAML rule files keeping the line of every mapping key, for file:line messages."""

from __future__ import annotations

from pathlib import Path

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is normally present
    from yaml import SafeLoader as _Loader


class LineDict(dict):
    """A dict that remembers the source line of each key (1-based)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}
        self.line = 1

    def line_of(self, key) -> int:
        """Line of `key` if known, else the mapping's own line."""
        return self.lines.get(key, self.line)


class DuplicateKey(Exception):
    """A mapping repeats a key."""

    def __init__(self, key, line: int):
        self.key, self.line = key, line
        super().__init__(f"duplicate key {key!r}")


def _construct(loader, node):
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            if key in result:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            result[key] = _construct(loader, value_node)
            result.lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, child) for child in node.value]
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # keep dates as the text written, checked later
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, name: str = "<string>"):
    """Parse YAML text into LineDicts/lists/scalars; raises yaml.YAMLError or DuplicateKey."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _construct(loader, node)
    finally:
        loader.dispose()


def load_yaml_file(path: Path):
    """Parse one YAML file (see load_yaml)."""
    return load_yaml(path.read_text(encoding="utf-8"), str(path))
