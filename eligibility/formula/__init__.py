"""The safe formula language: parse and type-check (check.py), compile to numpy (compile.py)."""
