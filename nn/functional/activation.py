"""(filled in by the activation family)"""

__all__: list[str] = []
