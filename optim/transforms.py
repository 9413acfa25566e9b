"""(filled in by the transforms family)"""

__all__: list[str] = []
