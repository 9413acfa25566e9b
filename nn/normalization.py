"""(filled in by the normalization family)"""

__all__: list[str] = []
