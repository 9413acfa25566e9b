"""(filled in by the loss family)"""

__all__: list[str] = []
