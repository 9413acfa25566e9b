"""(filled in by the averaging family)"""

__all__: list[str] = []
