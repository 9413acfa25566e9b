"""(filled in by the conv family)"""

__all__: list[str] = []
