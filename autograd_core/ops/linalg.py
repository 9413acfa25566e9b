"""(filled in by the linalg family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
