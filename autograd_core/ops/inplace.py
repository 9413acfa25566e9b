"""(filled in by the inplace family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
