"""(filled in by the linear family)"""

__all__: list[str] = []
