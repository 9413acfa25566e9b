"""(filled in by the utils family)"""

__all__: list[str] = []
