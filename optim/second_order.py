"""(filled in by the second_order family)"""

__all__: list[str] = []
